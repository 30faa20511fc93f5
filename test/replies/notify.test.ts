import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { replies } from '../../src/db/schema/index.js';
import { EventSignal } from '../../src/modules/events/event-signal.js';
import { configuredProviders } from '../../src/modules/replies/reply-providers.js';
import { ReplyWorker } from '../../src/modules/replies/reply-worker.js';
import { buildTestApp, createTree, type TestApp, testConfig } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';
import { startNotifyStandIn } from '../helpers/notify-stand-in.js';
import { freePort } from '../helpers/service-process.js';
import { repliesOf, settled, until } from './reply-helpers.js';

const serviceId = randomUUID();
const secret = randomUUID();
const apiKey = `wedid_test-${serviceId}-${secret}`;
const templates = {
  NOTIFY_EMAIL_TEMPLATE_ID: randomUUID(),
  NOTIFY_SMS_TEMPLATE_ID: randomUUID(),
  NOTIFY_LETTER_TEMPLATE_ID: randomUUID(),
};
const publicBase = 'https://feedback.example.nhs.uk';
const privateMarker = 'PRIVATE-MARKER-9120';

async function startWorker(t: Test, api: TestApp, settings: Record<string, string>) {
  const config = testConfig({ PUBLIC_BASE_URL: publicBase, NOTIFY_API_KEY: apiKey, ...settings });
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

/** Brings a reply's next attempt forward, past its backoff. */
const retryNow = (api: TestApp, replyId: string) =>
  api.app.db.update(replies).set({ nextAttemptAt: sql`now()` }).where(eq(replies.id, replyId));

t.test('email, SMS and letters through GOV.UK Notify’s client, in the shape Notify expects', async (t) => {
  const notify = await startNotifyStandIn(serviceId, secret);
  t.teardown(notify.close);
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);

  const text = `Private words ${privateMarker}`;
  const byEmail = await l.feedback(ward.id, { text, contact: { email: 'sam@example.org', wantsReply: true } });
  const bySms = await l.feedback(ward.id, { text, contact: { phone: '07700 900123', wantsReply: true } });
  const byLetter = await l.feedback(ward.id, {
    text,
    contact: { name: 'Ali Khan', address: '1 High Street\nLeeds\nLS1 1AA', replyBy: 'letter' },
  });
  const largePrint = await l.feedback(ward.id, {
    contact: { address: '2 High Street\nLeeds\nLS1 1AB', replyBy: 'letter', communicationNeeds: ['large_print'] },
  });
  await startWorker(t, api, { NOTIFY_BASE_URL: notify.url, ...templates });
  const [email] = await settled(api.app.db, byEmail.id);
  const [sms] = await settled(api.app.db, bySms.id);
  const [letter] = await settled(api.app.db, byLetter.id);

  const requestFor = (id: string | undefined) => notify.requests.find((request) => request.body.reference === id);
  t.same(
    notify.requests.flatMap((request) => request.problems),
    [],
    'every request signed and shaped as Notify wants',
  );
  t.match(requestFor(email?.id), {
    path: '/v2/notifications/email',
    body: {
      template_id: templates.NOTIFY_EMAIL_TEMPLATE_ID,
      email_address: 'sam@example.org',
      personalisation: {
        subject: `We have received your feedback (reference ${byEmail.reference})`,
        body: new RegExp(`${publicBase}/track/${byEmail.reference}$`),
      },
    },
  });
  t.match(requestFor(sms?.id), {
    path: '/v2/notifications/sms',
    body: {
      template_id: templates.NOTIFY_SMS_TEMPLATE_ID,
      phone_number: '07700 900123',
      personalisation: {
        body: new RegExp(`^Thank you for your feedback about Willow Ward.+/track/${bySms.reference}$`),
      },
    },
  });
  t.match(requestFor(letter?.id), {
    path: '/v2/notifications/letter',
    body: {
      template_id: templates.NOTIFY_LETTER_TEMPLATE_ID,
      personalisation: {
        address_line_1: 'Ali Khan',
        address_line_2: '1 High Street',
        address_line_3: 'Leeds',
        address_line_4: 'LS1 1AA',
        subject: /^We have received your feedback/,
      },
    },
  });
  t.notOk('address_line_5' in ((requestFor(letter?.id)?.body.personalisation as object) ?? {}));
  t.notMatch(JSON.stringify(notify.requests), privateMarker, 'no private text sent to Notify');
  for (const row of [email, sms, letter]) {
    t.match(row, { status: 'sent', attempts: 1, lastError: null, providerReference: /^[0-9a-f-]{36}$/ });
  }
  t.match(await settled(api.app.db, largePrint.id), [
    { status: 'undeliverable', attempts: 0, lastError: /^GOV\.UK Notify cannot print large print/ },
  ]);
});

t.test('Notify failing: 5xx and 429 retried, then recovery; 400 and 403 fail with Notify’s message', async (t) => {
  const notify = await startNotifyStandIn(serviceId, secret);
  t.teardown(notify.close);
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);

  notify.failNext(500, 'Exception', 'Internal server error');
  notify.failNext(429, 'RateLimitError', 'Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds');
  const item = await l.feedback(ward.id, { contact: { email: 'sam@example.org', wantsReply: true } });
  await startWorker(t, api, { NOTIFY_BASE_URL: notify.url, ...templates });
  const attempt = (count: number) =>
    until(async () => {
      const [row] = await repliesOf(api.app.db, item.id);
      return row && row.attempts >= count && row;
    }, `attempt ${count}`);
  const first = await attempt(1);
  t.match(first, { status: 'queued', lastError: 'GOV.UK Notify 500: Exception: Internal server error' });
  await retryNow(api, first.id);
  t.match(await attempt(2), {
    status: 'queued',
    lastError: /^GOV\.UK Notify 429: RateLimitError: Exceeded rate limit/,
  });
  await retryNow(api, first.id);
  const [recovered] = await settled(api.app.db, item.id);
  t.match(recovered, { status: 'sent', attempts: 3, lastError: null });
  t.equal(notify.requests.length, 3);
  t.same(new Set(notify.requests.map((request) => request.body.reference)), new Set([first.id]), 'one reference');

  notify.failNext(400, 'BadRequestError', 'Can’t send to this recipient using a team-only API key');
  const refused = await l.feedback(ward.id, { contact: { email: 'outsider@example.org', wantsReply: true } });
  t.match(await settled(api.app.db, refused.id), [
    {
      status: 'failed',
      attempts: 1,
      lastError: 'GOV.UK Notify 400: BadRequestError: Can’t send to this recipient using a team-only API key',
    },
  ]);
  notify.failNext(403, 'AuthError', 'Invalid token: API key not found');
  const badKey = await l.feedback(ward.id, { contact: { phone: '07700 900456', wantsReply: true } });
  t.match(await settled(api.app.db, badKey.id), [
    { status: 'failed', lastError: 'GOV.UK Notify 403: AuthError: Invalid token: API key not found' },
  ]);
});

t.test('Notify out of reach is temporary; a missing template is said on the reply', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);
  const closedPort = await freePort();
  const item = await l.feedback(ward.id, { contact: { email: 'sam@example.org', wantsReply: true } });
  const bySms = await l.feedback(ward.id, { contact: { phone: '07700 900123', wantsReply: true } });
  await startWorker(t, api, {
    NOTIFY_BASE_URL: `http://127.0.0.1:${closedPort}`,
    NOTIFY_EMAIL_TEMPLATE_ID: templates.NOTIFY_EMAIL_TEMPLATE_ID,
  });
  const row = await until(async () => {
    const [reply] = await repliesOf(api.app.db, item.id);
    return reply?.attempts === 1 && reply;
  }, 'the first attempt');
  t.match(row, { status: 'queued', lastError: /^GOV\.UK Notify: no answer \(.*ECONNREFUSED/ });
  t.match(await settled(api.app.db, bySms.id), [
    { status: 'undeliverable', lastError: 'GOV.UK Notify is configured, but NOTIFY_SMS_TEMPLATE_ID is not set' },
  ]);
});
