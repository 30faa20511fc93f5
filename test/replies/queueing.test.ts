import { asc, eq } from 'drizzle-orm';
import t from 'tap';
import { replies } from '../../src/db/schema/index.js';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';

const repliesOf = async (api: TestApp, feedbackId: string) =>
  (
    await api.app.db.select().from(replies).where(eq(replies.feedbackId, feedbackId)).orderBy(asc(replies.transitionId))
  ).map((row) => ({ kind: row.kind, channel: row.channel, status: row.status, supportNeeded: row.supportNeeded }));

t.test('the contact says how to be answered; the defaults and the 400s', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff');
  const l = loop(api, staff);

  const byEmail = await l.feedback(ward.id, {
    contact: { email: 'sam@example.org', phone: '07700 900123', wantsReply: true },
  });
  t.same((await l.item(byEmail.id)).contact, {
    email: 'sam@example.org',
    phone: '07700 900123',
    wantsReply: true,
    replyBy: 'email',
  });
  const bySms = await l.feedback(ward.id, { contact: { phone: '+44 7700 900123', wantsReply: true } });
  t.equal((await l.item(bySms.id)).contact?.replyBy, 'sms', 'a mobile number and no email: SMS');
  const landline = await l.feedback(ward.id, { contact: { phone: '0113 496 0000', wantsReply: true } });
  t.equal((await l.item(landline.id)).contact?.replyBy, 'in_person', 'a landline cannot take a text: in person');
  const implied = await l.feedback(ward.id, {
    contact: {
      address: '1 High Street\nLeeds\nLS1 1AA',
      replyBy: 'letter',
      language: 'PL',
      communicationNeeds: ['large_print', 'large_print'],
    },
  });
  t.same((await l.item(implied.id)).contact, {
    address: '1 High Street\nLeeds\nLS1 1AA',
    replyBy: 'letter',
    wantsReply: true,
    language: 'pl',
    communicationNeeds: ['large_print'],
  });
  const noReply = await l.feedback(ward.id, { contact: { email: 'sam@example.org' } });
  t.same((await l.item(noReply.id)).contact, { email: 'sam@example.org' }, 'no reply wanted: no channel chosen');

  const refused = async (contact: Record<string, unknown>, path: string) => {
    const response = await l.send('POST', '/v1/feedback', { unitId: ward.id, text: 'Words', contact });
    t.equal(response.statusCode, 400, JSON.stringify(contact));
    t.ok(
      response.json().errors?.some((error: { path: string }) => error.path === path),
      `${path} named: ${response.body}`,
    );
  };
  await refused({ email: 'not-an-email' }, '/contact/email');
  await refused({ replyBy: 'email', phone: '07700900123' }, '/contact/email');
  await refused({ replyBy: 'sms' }, '/contact/phone');
  await refused({ replyBy: 'sms', phone: '0113 496 0000' }, '/contact/phone');
  await refused({ replyBy: 'letter' }, '/contact/address');
  await refused({ replyBy: 'pigeon' }, '/contact/replyBy');
  await refused({ communicationNeeds: ['telepathy'] }, '/contact/communicationNeeds/0');
  await refused({ language: 'not a language' }, '/contact/language');
  await refused({ name: 'Sam\r\nBcc: everyone@example.org' }, '/contact/name');
  await refused({ address: 'one line only' }, '/contact/address');
});

t.test(
  'an acknowledgement with the intake, an answer with each close, in person when sending cannot meet a need',
  async (t) => {
    const api = await buildTestApp(t);
    const { ward } = await createTree(api);
    const staff = await api.createKey('staff');
    const l = loop(api, staff);

    const silent = await l.feedback(ward.id, { contact: { email: 'sam@example.org' } });
    const wanted = await l.feedback(ward.id, { contact: { email: 'sam@example.org', wantsReply: true } });
    const bsl = await l.feedback(ward.id, {
      kind: 'concern',
      contact: { email: 'ali@example.org', wantsReply: true, communicationNeeds: ['bsl', 'easy_read'], language: 'cy' },
    });
    t.same(await repliesOf(api, silent.id), [], 'no reply wanted: none written');
    t.same(await repliesOf(api, wanted.id), [
      { kind: 'acknowledgement', channel: 'email', status: 'queued', supportNeeded: null },
    ]);
    t.same(await repliesOf(api, bsl.id), [
      {
        kind: 'acknowledgement',
        channel: 'in_person',
        status: 'queued',
        supportNeeded: 'British Sign Language (BSL); language: cy',
      },
    ]);

    await l.closeWithAction(ward.id, [wanted.id]);
    const decided = await l.decide(bsl.id);
    t.equal(decided.statusCode, 200);
    t.same(
      (await repliesOf(api, wanted.id)).map((reply) => reply.kind),
      ['acknowledgement', 'answer'],
    );
    const reopened = await l.send('POST', `/v1/feedback/${bsl.id}/reopen`, { reason: 'We got it wrong' });
    t.equal(reopened.statusCode, 200);
    t.same(
      (await repliesOf(api, bsl.id)).map((reply) => reply.kind),
      ['acknowledgement', 'answer'],
      'a reopen writes no reply',
    );
    t.equal((await l.decide(bsl.id)).statusCode, 200);
    t.same(
      (await repliesOf(api, bsl.id)).map((reply) => `${reply.kind}:${reply.channel}`),
      ['acknowledgement:in_person', 'answer:in_person', 'answer:in_person'],
      'closing again answers again',
    );
  },
);

t.test('batch and CSV intake take the reply fields too, with a result per item', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const intake = await api.createKey('intake');

  const batch = await api.request({
    method: 'POST',
    url: '/v1/feedback/batch',
    key: intake,
    payload: {
      items: [
        {
          unitId: ward.id,
          text: 'One',
          contact: { phone: '07700 900123', wantsReply: true, communicationNeeds: ['easy_read'] },
        },
        { unitId: ward.id, text: 'Two', contact: { replyBy: 'email' } },
      ],
    },
  });
  t.equal(batch.statusCode, 200, batch.body);
  const results = batch.json().results as { status: number; id?: string; problem?: { errors?: { path: string }[] } }[];
  t.equal(results[0]!.status, 201);
  t.equal(results[1]!.status, 400);
  t.same(
    results[1]!.problem?.errors?.map((error) => error.path),
    ['/contact/email'],
  );
  const [sms] = await api.app.db.select().from(replies).where(eq(replies.feedbackId, results[0]!.id!));
  t.match(sms, { kind: 'acknowledgement', channel: 'sms', easyRead: true, largePrint: false });

  const csv = [
    'unitCode,text,contact.email,contact.replyBy,contact.communicationNeeds,contact.language',
    `${ward.code},Three,kim@example.org,email,easy_read; large_print,en-GB`,
    `${ward.code},Four,,email,,`,
  ].join('\n');
  const imported = await api.request({
    method: 'POST',
    url: '/v1/feedback/import',
    key: intake,
    headers: { 'content-type': 'text/csv' },
    payload: `${csv}\n`,
  });
  const rows = imported.json().results as { status: number; id?: string; problem?: { errors?: { path: string }[] } }[];
  t.same(
    rows.map((row) => row.status),
    [201, 400],
    imported.body,
  );
  t.match(rows[1]!.problem?.errors, [{ path: '/contact/email' }]);
  const staff = loop(api, await api.createKey('staff'));
  t.same((await staff.item(rows[0]!.id!)).contact, {
    email: 'kim@example.org',
    replyBy: 'email',
    wantsReply: true,
    communicationNeeds: ['easy_read', 'large_print'],
    language: 'en-GB',
  });
  const [email] = await api.app.db.select().from(replies).where(eq(replies.feedbackId, rows[0]!.id!));
  t.match(email, { channel: 'email', easyRead: true, largePrint: true, supportNeeded: null }, 'en-GB is English');
});
