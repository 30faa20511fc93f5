import { sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/client.js';
import { isPublicAddress } from '../../src/modules/webhooks/webhook-targets.js';
import { buildTestApp, createTree, type TestApp, testConfig, withHelpers } from '../helpers/app.js';
import { onServer } from '../helpers/database.js';
import { loop } from '../helpers/fixtures.js';
import { answer, type Responder, startReceiver, verified } from '../helpers/webhook-receiver.js';
import { deliveries, subscribe, until } from '../helpers/webhooks.js';

const receiverConfig = () => testConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '1000' });

/** Makes a pending delivery due now, instead of waiting out its backoff. */
const skipBackoff = (api: TestApp) =>
  api.database.handle.db.execute(
    `update webhook_deliveries set next_attempt_at = now() where status = 'pending'` as never,
  );

/** A receiver answering as told, subscribed to feedback.received, and one item sent its way. */
async function oneItemFor(t: Test, respond: Responder) {
  const api = await buildTestApp(t, { config: receiverConfig() });
  const receiver = await startReceiver(respond);
  t.teardown(receiver.close);
  const { ward } = await createTree(api);
  const webhook = await subscribe(api, { url: receiver.url, eventTypes: ['feedback.received'] });
  await loop(api).feedback(ward.id);
  return { api, receiver, ward, webhook };
}

t.test('events are delivered signed, in feed order, only the types and units subscribed', async (t) => {
  const api = await buildTestApp(t, { config: receiverConfig() });
  const receiver = await startReceiver();
  t.teardown(receiver.close);
  const { ward, otherWard } = await createTree(api);
  const flow = loop(api);
  const before = await flow.feedback(ward.id);

  const created = await api.request({
    method: 'POST',
    url: '/v1/webhooks',
    payload: { url: receiver.url, eventTypes: ['feedback.received', 'feedback.closed'], unitId: ward.id },
  });
  t.equal(created.statusCode, 201);
  const webhook = created.json();
  t.match(webhook.secret, /^whsec_[A-Za-z0-9+/]{40,}={0,2}$/, 'a Standard Webhooks secret');
  const listed = await api.request({ method: 'GET', url: '/v1/webhooks' });
  t.notMatch(listed.body, webhook.secret, 'the secret is shown once only');

  const first = await flow.feedback(ward.id);
  await flow.feedback(otherWard.id);
  const second = await flow.feedback(ward.id);
  t.equal((await flow.decide(first.id)).statusCode, 200);
  await receiver.received(3);

  const received = receiver.messages.map((message) => verified(webhook.secret, message));
  t.same(
    received.map((event) => `${event.type} ${event.data.id}`),
    [`feedback.received ${first.id}`, `feedback.received ${second.id}`, `feedback.closed ${first.id}`],
    'only the ward’s subscribed events after the subscription, in order',
  );
  t.notOk(
    received.some((event) => event.data.id === before.id),
    'events before the subscription are not sent',
  );
  for (const message of receiver.messages) {
    t.equal(message.headers['webhook-id'], JSON.parse(message.body).id, 'webhook-id is the event id');
    t.match(message.headers['content-type'], 'application/json');
  }
  const feed = await api.request({ method: 'GET', url: '/v1/events?types=feedback.received&limit=500' });
  const feedEvent = feed.json().events.find((event: { data: { id: string } }) => event.data.id === first.id);
  t.same(received[0], feedEvent, 'the body is the same event as in the feed');

  const tampered = { ...receiver.messages[0]!, body: receiver.messages[0]!.body.replace('received', 'closed') };
  t.throws(() => verified(webhook.secret, tampered), 'a changed body fails verification');

  await until('all delivered', async () =>
    (await deliveries(api, webhook.id)).every((delivery) => delivery.status === 'delivered'),
  );
  t.equal((await deliveries(api, webhook.id)).length, 3);
});

t.test('failures are retried with backoff; redirects are not followed; only 2xx counts', async (t) => {
  const api = await buildTestApp(t, { config: receiverConfig() });
  const elsewhere = await startReceiver();
  const receiver = await startReceiver((_message, index, response) => {
    if (index === 0) response.writeHead(500).end();
    else if (index === 1) response.writeHead(302, { location: elsewhere.url }).end();
    else response.writeHead(200).end();
  });
  t.teardown(async () => {
    await receiver.close();
    await elsewhere.close();
  });
  const { ward } = await createTree(api);
  const webhook = await subscribe(api, { url: receiver.url, eventTypes: ['feedback.received'] });
  await loop(api).feedback(ward.id);

  await receiver.received(1);
  const failed = await until('the first failure recorded', async () => {
    const [delivery] = await deliveries(api, webhook.id);
    return delivery?.attempts.length === 1 ? delivery : undefined;
  });
  t.equal(failed.status, 'pending');
  t.equal(failed.attempts[0]!.statusCode, 500);
  const wait = Date.parse(failed.nextAttemptAt!) - Date.parse(failed.attempts[0]!.attemptedAt);
  t.ok(wait >= 3_000 && wait <= 10_000, `the first retry comes within about 10 seconds (${wait} ms)`);

  await skipBackoff(api);
  await receiver.received(2);
  await until('the redirect recorded', async () => (await deliveries(api, webhook.id))[0]?.attempts.length === 2);
  await skipBackoff(api);
  await receiver.received(3);
  const [delivered] = await until('delivered', async () => {
    const list = await deliveries(api, webhook.id);
    return list[0]?.status === 'delivered' ? list : undefined;
  });
  t.same(
    delivered!.attempts.map((attempt) => attempt.statusCode),
    [500, 302, 200],
  );
  t.equal(elsewhere.messages.length, 0, 'the redirect was not followed');
  t.equal(new Set(receiver.messages.map((m) => m.headers['webhook-id'])).size, 1, 'retries carry the same webhook-id');
});

t.test('a 410 disables the subscription; re-sending enables it and delivers', async (t) => {
  const { api, receiver, ward, webhook } = await oneItemFor(t, answer(410));

  const gone = await until('disabled', async () => {
    const response = await api.request({ method: 'GET', url: `/v1/webhooks/${webhook.id}` });
    return response.json().status === 'disabled' ? response.json() : undefined;
  });
  t.equal(gone.disabledReason, 'gone');
  const [failed] = await deliveries(api, webhook.id);
  t.equal(failed!.status, 'failed');

  receiver.respondWith(answer(204));
  await loop(api).feedback(ward.id);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  t.equal(receiver.messages.length, 1, 'nothing is sent while disabled');

  const pendingResend = await api.request({
    method: 'POST',
    url: `/v1/webhooks/${webhook.id}/deliveries/${failed!.id}/resend`,
  });
  t.equal(pendingResend.statusCode, 202);
  t.equal(pendingResend.json().status, 'pending');
  await receiver.received(3);
  const after = await until('both delivered', async () => {
    const list = await deliveries(api, webhook.id);
    return list.length === 2 && list.every((delivery) => delivery.status === 'delivered') ? list : undefined;
  });
  t.equal(after.length, 2, 'the re-sent delivery and the event that waited behind it');
  t.equal(
    receiver.messages[1]!.headers['webhook-id'],
    receiver.messages[0]!.headers['webhook-id'],
    'the re-sent one first',
  );
  const again = await api.request({
    method: 'POST',
    url: `/v1/webhooks/${webhook.id}/deliveries/${failed!.id}/resend`,
  });
  t.equal(again.statusCode, 202, 'a delivered one can be re-sent too');
  const audit = await api.request({ method: 'GET', url: `/v1/audit?entityType=webhook&entityId=${webhook.id}` });
  t.same(
    audit
      .json()
      .items.map((event: { action: string }) => event.action)
      .reverse(),
    ['created', 'disabled', 'delivery_resent', 'delivery_resent'],
  );
});

t.test('after a day of failures the delivery fails and the subscription is disabled', async (t) => {
  const { api, webhook } = await oneItemFor(t, answer(503));
  await until('first failure', async () => (await deliveries(api, webhook.id))[0]?.attempts.length === 1);
  t.equal((await deliveries(api, webhook.id))[0]!.status, 'pending', 'one failure is not the end');

  // A day passes (the clock is moved, not waited for).
  await api.database.handle.db.execute(
    `update webhook_deliveries set first_attempt_at = now() - interval '25 hours', next_attempt_at = now()` as never,
  );
  const disabled = await until('disabled', async () => {
    const response = await api.request({ method: 'GET', url: `/v1/webhooks/${webhook.id}` });
    return response.json().status === 'disabled' ? response.json() : undefined;
  });
  t.equal(disabled.disabledReason, 'failing');
  t.equal((await deliveries(api, webhook.id))[0]!.status, 'failed');
});

t.test('webhook URLs on private networks are refused unless allowed', async (t) => {
  const api = await buildTestApp(t);
  for (const url of [
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://10.1.2.3/hook',
    'http://192.168.0.10/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[fd00:ec2::254]/hook',
    'ftp://example.org/hook',
    'http://user:pass@example.org/hook',
    'not a url',
  ]) {
    const response = await api.request({
      method: 'POST',
      url: '/v1/webhooks',
      payload: { url, eventTypes: ['board.updated'] },
    });
    t.equal(response.statusCode, 400, url);
    t.equal(response.json().errors?.[0]?.path, '/url', `${url}: names the field`);
  }
  t.ok(isPublicAddress('93.184.216.34') && isPublicAddress('2606:2800:220:1::1'), 'public addresses pass');
  for (const address of ['100.64.0.1', '0.0.0.0', 'fe80::1', '::127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::a00:1']) {
    t.notOk(isPublicAddress(address), `${address} is not public`);
  }

  // A name that resolved publicly when subscribed may point inward later: the check is repeated on
  // the connection itself. Here the row is written directly, as if DNS had changed.
  const receiver = await startReceiver();
  t.teardown(receiver.close);
  const { ward } = await createTree(api);
  const [row] = await api.sql<{ id: string }>(
    sql.raw(
      `insert into webhooks (url, event_types, secret) values ('${receiver.url.replace('127.0.0.1', 'localhost')}',
        '{feedback.received}', 'whsec_${Buffer.alloc(32, 1).toString('base64')}') returning id`,
    ),
  );
  await loop(api).feedback(ward.id);
  const [delivery] = await until('the blocked attempt', async () => {
    const list = await deliveries(api, row!.id);
    return list[0]?.attempts.length ? list : undefined;
  });
  t.equal(receiver.messages.length, 0, 'nothing reached the private address');
  t.match(delivery!.attempts[0]!.error, /non-public address/);
});

t.test('subscriptions are admin-only and validated', async (t) => {
  const api = await buildTestApp(t, { config: receiverConfig() });
  const staff = await api.createKey('staff');
  t.equal((await api.request({ method: 'GET', url: '/v1/webhooks', key: staff })).statusCode, 403);
  for (const payload of [
    { url: 'http://127.0.0.1/x', eventTypes: [] },
    { url: 'http://127.0.0.1/x', eventTypes: ['feedback.deleted'] },
    { url: 'http://127.0.0.1/x', eventTypes: ['board.updated', 'board.updated'] },
    { url: 'http://127.0.0.1/x', eventTypes: ['board.updated'], unitId: '00000000-0000-4000-8000-000000000000' },
    { url: 'http://127.0.0.1/x', eventTypes: ['board.updated'], secret: 'mine' },
  ]) {
    const response = await api.request({ method: 'POST', url: '/v1/webhooks', payload });
    t.equal(response.statusCode, 400, JSON.stringify(payload));
    t.match(response.headers['content-type'], 'application/problem+json');
  }
  const webhook = await subscribe(api, { url: 'http://127.0.0.1:9/x', eventTypes: ['board.updated'] });
  t.equal((await api.request({ method: 'DELETE', url: `/v1/webhooks/${webhook.id}` })).statusCode, 204);
  t.equal((await api.request({ method: 'GET', url: `/v1/webhooks/${webhook.id}` })).statusCode, 404);
  t.equal((await api.request({ method: 'DELETE', url: `/v1/webhooks/${webhook.id}` })).statusCode, 404);
  t.equal((await api.request({ method: 'GET', url: `/v1/webhooks/${webhook.id}/deliveries` })).statusCode, 404);
});

t.test(
  'two instances on one database deliver each event once, in order',
  { skip: onServer ? false : 'needs two connections to one database: PostgreSQL only' },
  async (t) => {
    const api = await buildTestApp(t, { config: receiverConfig() });
    const secondHandle = await openDatabase({ url: api.database.url! });
    const second = await buildApp(receiverConfig(), { database: secondHandle, logger: false });
    t.teardown(async () => {
      await second.close();
      await secondHandle.close();
    });
    const other = withHelpers(second, api.database);
    const receiver = await startReceiver();
    t.teardown(receiver.close);
    const { ward } = await createTree(api);
    const webhooks = await Promise.all(
      [1, 2, 3].map(() => subscribe(api, { url: receiver.url, eventTypes: ['feedback.received'] })),
    );
    const items: string[] = [];
    for (let index = 0; index < 10; index++) {
      items.push((await loop(index % 2 ? api : other).feedback(ward.id)).id);
    }
    await receiver.received(30);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    t.equal(receiver.messages.length, 30, 'no delivery was made twice');
    for (const webhook of webhooks) {
      const ids = receiver.messages
        .map((message) => {
          try {
            return verified(webhook.secret, message).data.id;
          } catch {
            return undefined;
          }
        })
        .filter(Boolean);
      t.same(ids, items, 'each subscription got every item once, in order');
    }
  },
);

t.test('a receiver that does not answer holds up only its own subscription', async (t) => {
  const api = await buildTestApp(t, {
    config: testConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '8000' }),
  });
  const silent = await startReceiver(() => {});
  const prompt = await startReceiver();
  t.teardown(async () => {
    await silent.close();
    await prompt.close();
  });
  const { ward } = await createTree(api);
  const stuck = await subscribe(api, { url: silent.url, eventTypes: ['feedback.received'] });
  await subscribe(api, { url: prompt.url, eventTypes: ['feedback.received'] });

  await loop(api).feedback(ward.id);
  await silent.received(1);
  await prompt.received(1);
  await loop(api).feedback(ward.id);
  await prompt.received(2);
  const [inFlight] = await deliveries(api, stuck.id);
  t.equal(
    inFlight?.attempts.length,
    0,
    'the other subscription got its next event while this attempt was still waiting',
  );
});
