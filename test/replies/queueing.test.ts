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
