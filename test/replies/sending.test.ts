import { eq, sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { feedbackItems, replies } from '../../src/db/schema/index.js';
import { EventSignal } from '../../src/modules/events/event-signal.js';
import { configuredProviders } from '../../src/modules/replies/reply-providers.js';
import { ReplyWorker } from '../../src/modules/replies/reply-worker.js';
import { buildTestApp, createTree, type TestApp, testConfig } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';
import { startSmtpCatcher } from '../helpers/smtp-catcher.js';
import { repliesOf, settled, until } from './reply-helpers.js';

const privateMarker = 'PRIVATE-MARKER-4410';
const publicBase = 'https://feedback.example.nhs.uk';
const mailFrom = 'Riverside Hospital <replies@example.nhs.uk>';

/** A reply worker of our own on the test app's database, sending with these settings. */
async function startWorker(t: Test, api: TestApp, settings: Record<string, string>) {
  const config = testConfig({ PUBLIC_BASE_URL: publicBase, ...settings });
  const worker = new ReplyWorker(api.app.db, new EventSignal(), {
    publicBaseUrl: config.PUBLIC_BASE_URL,
    providers: await configuredProviders(config, 2_000),
    sendTimeoutMs: 2_000,
    log: api.app.log,
  });
  worker.start();
  t.teardown(() => worker.stop());
  return worker;
}

t.test(
  'a person who leaves an email gets the acknowledgement, then the answer linking to their tracking page',
  async (t) => {
    const smtp = await startSmtpCatcher();
    t.teardown(smtp.close);
    const api = await buildTestApp(t, {
      config: testConfig({
        SEND_REPLIES: 'true',
        SMTP_URL: smtp.url,
        MAIL_FROM: mailFrom,
        PUBLIC_BASE_URL: publicBase,
      }),
    });
    const { ward } = await createTree(api);
    const staff = await api.createKey('staff');
    const l = loop(api, staff);

    const item = await l.feedback(ward.id, {
      text: `The evenings are empty ${privateMarker}`,
      youSaid: 'There is nothing to do in the evenings',
      contact: { name: 'Sam Patel', email: 'sam@example.org', wantsReply: true },
    });
    await smtp.received(1);
    const [ack] = smtp.mails;
    if (!ack) throw new Error('no acknowledgement');
    const [ackReply] = await settled(api.app.db, item.id);
    t.same(ack.rcptTo, ['sam@example.org'], 'sent to the person');
    t.same(ack.parsed.to && 'value' in ack.parsed.to ? ack.parsed.to.value : null, [
      { address: 'sam@example.org', name: 'Sam Patel' },
    ]);
    t.equal(ack.parsed.from?.value[0]?.address, 'replies@example.nhs.uk');
    t.equal(ack.parsed.subject, `We have received your feedback (reference ${item.reference})`);
    t.match(ack.parsed.text, 'Thank you for your feedback about Willow Ward.');
    t.match(ack.parsed.text, `${publicBase}/track/${item.reference}`);
    t.equal(ack.parsed.messageId, `<${ackReply?.id}@example.nhs.uk>`, 'a Message-ID of the reply’s own');
    t.notMatch(ack.raw, privateMarker, 'the private text is not in the mail');
    t.match(ackReply, { kind: 'acknowledgement', status: 'sent', attempts: 1, lastError: null });
    t.equal(ackReply?.providerReference, ack.parsed.messageId, 'the Message-ID is kept as the provider reference');
    t.ok((await l.item(item.id)).acknowledgedAt, 'the acknowledgement sent acknowledges the item');

    await l.closeWithAction(ward.id, [item.id]);
    await smtp.received(2);
    const answer = smtp.mails[1];
    t.equal(answer?.parsed.subject, `What we did about your feedback (reference ${item.reference})`);
    t.match(answer?.parsed.text, 'We did: Sunday film club.');
    t.match(answer?.parsed.text, 'Did this answer you?');
    t.match(answer?.parsed.text, `${publicBase}/track/${item.reference}`, 'the answer links to the tracking page');
    t.notMatch(answer?.raw, privateMarker);
    const rows = await settled(api.app.db, item.id, 2);
    t.same(
      rows.map((row) => `${row.kind}:${row.status}`),
      ['acknowledgement:sent', 'answer:sent'],
    );
    t.not(answer?.parsed.messageId, ack.parsed.messageId, 'each reply its own Message-ID');
  },
);

t.test('Easy Read when asked; no header can be added from a stored name', async (t) => {
  const smtp = await startSmtpCatcher();
  t.teardown(smtp.close);
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);

  const easy = await l.feedback(ward.id, {
    contact: { email: 'ali@example.org', wantsReply: true, communicationNeeds: ['easy_read'] },
  });
  const injected = await l.feedback(ward.id, { contact: { name: 'Jo', email: 'jo@example.org', wantsReply: true } });
  // Intake refuses line breaks in a name; a row written before that rule, or by hand, may still hold one.
  await api.app.db
    .update(feedbackItems)
    .set({
      contact: {
        name: 'Jo\r\nBcc: everyone@example.org\r\nX-Injected: yes',
        email: 'jo@example.org',
        wantsReply: true,
        replyBy: 'email',
      },
    })
    .where(eq(feedbackItems.id, injected.id));
  const twoAddresses = await l.feedback(ward.id, { contact: { email: 'kim@example.org', wantsReply: true } });
  await api.app.db
    .update(feedbackItems)
    .set({
      contact: { email: 'kim@example.org\r\nBcc: everyone@example.org', wantsReply: true, replyBy: 'email' },
    })
    .where(eq(feedbackItems.id, twoAddresses.id));
  await startWorker(t, api, { SMTP_URL: smtp.url, MAIL_FROM: mailFrom });
  t.match(await settled(api.app.db, twoAddresses.id), [
    { status: 'undeliverable', lastError: 'The contact’s email address is not a single valid address' },
  ]);
  await smtp.received(2);
  const byRecipient = new Map(smtp.mails.map((mail) => [mail.rcptTo.join(','), mail]));
  const easyMail = byRecipient.get('ali@example.org');
  t.equal(easyMail?.parsed.subject, 'We got your feedback');
  t.match(easyMail?.parsed.text, 'Thank you for telling us what you think.\n\nYou told us about Willow Ward.');
  const jo = byRecipient.get('jo@example.org');
  t.ok(jo, 'the mail went to its one recipient only');
  t.equal(smtp.mails.length, 2, 'nobody else got a copy');
  t.notOk(jo?.parsed.headers.has('x-injected'), 'no header added');
  t.notOk(jo?.parsed.headers.has('bcc'), 'no Bcc added');
  const headerBlock = jo?.raw.split(/\r?\n\r?\n/)[0] ?? '';
  t.notMatch(headerBlock, /^(Bcc|X-Injected):/im, 'no header line from the name');
  await settled(api.app.db, easy.id);
});

t.test('temporary SMTP refusals are retried; permanent ones fail with the server’s reason', async (t) => {
  const smtp = await startSmtpCatcher();
  t.teardown(smtp.close);
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);

  smtp.refuseNext(451, '4.3.0 Mailbox busy, try again later');
  const item = await l.feedback(ward.id, { contact: { email: 'sam@example.org', wantsReply: true } });
  await startWorker(t, api, { SMTP_URL: smtp.url, MAIL_FROM: mailFrom });
  const retrying = await until(async () => {
    const [row] = await repliesOf(api.app.db, item.id);
    return row?.attempts === 1 && row;
  }, 'the first attempt');
  t.match(retrying, { status: 'queued', attempts: 1, lastError: /451 4\.3\.0 Mailbox busy/ });
  t.ok(retrying.nextAttemptAt.getTime() > Date.now(), 'tried again later, not at once');
  t.equal(smtp.mails.length, 0);

  // The backoff is seconds long; bring the next attempt forward instead of waiting it out.
  await api.app.db.update(replies).set({ nextAttemptAt: sql`now()` }).where(eq(replies.id, retrying.id));
  const [sent] = await settled(api.app.db, item.id);
  t.match(sent, { status: 'sent', attempts: 2, lastError: null });
  t.equal(smtp.mails.length, 1);

  smtp.refuseNext(550, '5.1.1 No such mailbox here');
  const unknown = await l.feedback(ward.id, { contact: { email: 'nobody@example.org', wantsReply: true } });
  const [failed] = await settled(api.app.db, unknown.id);
  t.match(failed, { status: 'failed', attempts: 1, lastError: /550 5\.1\.1 No such mailbox here/ });

  // Still failing after three days: given up, with the last reason.
  smtp.refuseNext(421, '4.7.0 Too busy');
  const stale = await l.feedback(ward.id, { contact: { email: 'late@example.org', wantsReply: true } });
  await api.app.db
    .update(replies)
    .set({ createdAt: sql`now() - interval '73 hours'` })
    .where(eq(replies.feedbackId, stale.id));
  const [givenUp] = await settled(api.app.db, stale.id);
  t.match(givenUp, { status: 'failed', lastError: /^Gave up after 1 attempts: SMTP: 421 4\.7\.0 Too busy/ });
});

t.test('no provider, no address, no longer wanted, erased: said on the reply, nothing sent', async (t) => {
  const smtp = await startSmtpCatcher();
  t.teardown(smtp.close);
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);

  const byText = await l.feedback(ward.id, { contact: { phone: '07700 900123', wantsReply: true } });
  const byLetter = await l.feedback(ward.id, {
    contact: { address: '1 High Street\nLeeds\nLS1 1AA', replyBy: 'letter' },
  });
  const inPerson = await l.feedback(ward.id, { contact: { wantsReply: true, communicationNeeds: ['bsl'] } });
  const noLongerWanted = await l.feedback(ward.id, { contact: { email: 'a@example.org', wantsReply: true } });
  const addressGone = await l.feedback(ward.id, { contact: { email: 'b@example.org', wantsReply: true } });
  const erased = await l.feedback(ward.id, { contact: { email: 'erased@example.org', wantsReply: true } });
  await api.app.db
    .update(feedbackItems)
    .set({ contact: { email: 'a@example.org', wantsReply: false } })
    .where(eq(feedbackItems.id, noLongerWanted.id));
  await api.app.db
    .update(feedbackItems)
    .set({ contact: { wantsReply: true, replyBy: 'email' } })
    .where(eq(feedbackItems.id, addressGone.id));
  const erasure = await api.request({ method: 'POST', url: `/v1/feedback/${erased.id}/erase`, payload: {} });
  t.equal(erasure.statusCode, 200, erasure.body);
  t.match(await repliesOf(api.app.db, erased.id), [{ status: 'cancelled' }], 'erasure cancels the queued reply');

  const unconfigured = await startWorker(t, api, {});
  t.match(await settled(api.app.db, byText.id), [
    {
      channel: 'sms',
      status: 'undeliverable',
      attempts: 0,
      lastError: 'No SMS provider is configured: set NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID',
    },
  ]);
  t.match(await settled(api.app.db, byLetter.id), [
    { channel: 'letter', status: 'undeliverable', lastError: /^No letter provider is configured/ },
  ]);
  t.match(await settled(api.app.db, noLongerWanted.id), [
    { status: 'cancelled', lastError: 'The person no longer wants a reply' },
  ]);
  t.match(await settled(api.app.db, addressGone.id), [
    { status: 'undeliverable', lastError: /^No email provider is configured: set SMTP_URL/ },
  ]);
  t.match(await repliesOf(api.app.db, inPerson.id), [{ channel: 'in_person', status: 'queued', attempts: 0 }]);

  // With SMTP configured, a reply whose contact lost its address says so; the erased one stays cancelled.
  await unconfigured.stop();
  await api.app.db.update(replies).set({ status: 'queued' }).where(eq(replies.feedbackId, addressGone.id));
  await startWorker(t, api, { SMTP_URL: smtp.url, MAIL_FROM: mailFrom });
  const later = await l.feedback(ward.id, { contact: { email: 'later@example.org', wantsReply: true } });
  await settled(api.app.db, later.id);
  t.match(await settled(api.app.db, addressGone.id), [
    { status: 'undeliverable', lastError: 'The contact no longer has an email address' },
  ]);
  t.same(
    smtp.mails.map((mail) => mail.rcptTo.join()),
    ['later@example.org'],
    'only the reply that could go went',
  );
  t.match(await repliesOf(api.app.db, erased.id), [{ status: 'cancelled', attempts: 0 }]);
  t.match(await repliesOf(api.app.db, inPerson.id), [{ status: 'queued' }], 'in person: left for staff');
});

t.test('two workers on one database send each reply once', async (t) => {
  const smtp = await startSmtpCatcher({ delayMs: 20 });
  t.teardown(smtp.close);
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);
  const items = [];
  for (let index = 0; index < 16; index++) {
    items.push(await l.feedback(ward.id, { contact: { email: `p${index}@example.org`, wantsReply: true } }));
  }
  await startWorker(t, api, { SMTP_URL: smtp.url, MAIL_FROM: mailFrom });
  await startWorker(t, api, { SMTP_URL: smtp.url, MAIL_FROM: mailFrom });
  await smtp.received(items.length);
  for (const item of items) await settled(api.app.db, item.id);
  const ids = smtp.mails.map((mail) => mail.parsed.messageId);
  t.equal(ids.length, items.length, 'as many mails as replies');
  t.equal(new Set(ids).size, items.length, 'none twice');
});
