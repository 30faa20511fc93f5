import { sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { pruneEventBatch } from '../../src/modules/events/event-retention.js';
import { pruneFeedBatch } from '../../src/modules/events/events.repository.js';
import { deliveredThrough } from '../../src/modules/webhooks/webhooks.repository.js';
import { buildTestApp, createTree, type TestApp, testConfig } from '../helpers/app.js';
import { bodyOf } from '../helpers/bodies.js';
import { onServer, pgliteDatabase } from '../helpers/database.js';
import { recordFeedback } from '../helpers/fixtures.js';
import { refusal } from '../helpers/refusal.js';
import { answer, startReceiver, verified } from '../helpers/webhook-receiver.js';
import { deliveries, subscribe, until } from '../helpers/webhooks.js';

const retentionConfig = () =>
  testConfig({ EVENT_RETENTION_DAYS: '1', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '1000' });

/** Makes every event so far two days old (events refuse UPDATE, so the guard is lifted for it). */
async function backdateEvents(api: TestApp) {
  await api.sql(sql`alter table events disable trigger events_append_only`);
  await api.sql(sql`update events set occurred_at = now() - interval '2 days'`);
  await api.sql(sql`alter table events enable trigger events_append_only`);
}

const prune = (api: TestApp, batchSize?: number) =>
  pruneEventBatch(api.app.db, { days: 1, deliveredThrough, ...(batchSize ? { batchSize } : {}) });

/** Prunes batch after batch until nothing more may go; returns each batch's count. */
async function pruneAll(api: TestApp, batchSize?: number): Promise<number[]> {
  const batches: number[] = [];
  for (let pruned = await prune(api, batchSize); pruned > 0; pruned = await prune(api, batchSize)) {
    batches.push(pruned);
  }
  return batches;
}

async function feed(api: TestApp, key: string, after?: string) {
  const query = after ? `?limit=500&after=${encodeURIComponent(after)}` : '?limit=500';
  return api.request({ method: 'GET', url: `/v1/events${query}`, key });
}

async function readAll(api: TestApp, key: string, after?: string) {
  const response = await feed(api, key, after);
  if (response.statusCode !== 200) throw new Error(`events: ${response.statusCode} ${response.body}`);
  const page = bodyOf<'listEvents', 200>(response);
  return { ids: page.events.map((event) => event.id), cursor: page.nextCursor };
}

async function oldAndRecentFeed(t: Test, api: TestApp) {
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff');
  const auditor = await api.createKey('auditor');
  for (let i = 0; i < 3; i++) await recordFeedback(api, ward.id);
  const old = await readAll(api, staff);
  const firstPage = bodyOf<'listEvents', 200>(
    await api.request({ method: 'GET', url: '/v1/events?limit=1', key: staff }),
  );
  await backdateEvents(api);
  await recordFeedback(api, ward.id);
  const recent = await readAll(api, staff, old.cursor);
  t.ok(old.ids.length > 6 && recent.ids.length > 0, 'old events and recent ones');

  const batches = await pruneAll(api, 5);
  t.same(
    batches,
    [...Array(Math.floor(old.ids.length / 5)).fill(5), ...(old.ids.length % 5 ? [old.ids.length % 5] : [])],
    'pruned in batches of at most 5, each its own transaction, until only recent events are left',
  );
  t.same((await readAll(api, staff)).ids, recent.ids, 'without a cursor the feed starts at the oldest event kept');

  const expired = await feed(api, staff, firstPage.nextCursor);
  t.equal(expired.statusCode, 410, 'a cursor from before the events kept');
  t.match(expired.headers['content-type'], /^application\/problem\+json/, 'as problem details');
  t.match(
    expired.json(),
    {
      type: 'urn:wedid:problem:cursor-expired',
      status: 410,
      detail: /pruned.*Resync.*without `after`/,
    },
    'of the cursor-expired kind, telling the client to resync',
  );
  const resumed = await readAll(api, staff, old.cursor);
  t.same(resumed.ids, recent.ids, 'a cursor at the start of what is kept reads on without a gap');
  const inside = bodyOf<'listEvents', 200>(
    await api.request({ method: 'GET', url: `/v1/events?limit=1&after=${encodeURIComponent(old.cursor)}`, key: staff }),
  );
  t.same(
    [...inside.events.map((event) => event.id), ...(await readAll(api, staff, inside.nextCursor)).ids],
    recent.ids,
    'and one inside it as before',
  );

  const verify = await api.request({ method: 'GET', url: '/v1/audit/verify', key: auditor });
  t.match(verify.json(), { ok: true }, 'the audit trail is not the change feed: it is whole and verifies');
  const [audit] = await api.sql<{ count: number }>(sql`select count(*)::int as count from audit_events`);
  t.ok(audit!.count >= 4, 'every feedback item is still audited');

  const refused = (query: Parameters<TestApp['sql']>[0]) => refusal(() => api.sql(query));
  t.match(await refused(sql`delete from events`), /deleted only up to event_retention/, 'a kept event stays');
  t.match(
    await refused(sql`update event_retention set pruned_through_seq = 0, pruned_through_position = 0`),
    /only moves forward/,
    'what was pruned stays pruned',
  );
  t.match(await refused(sql`delete from event_retention`), /only moves forward/, 'the record stays');
  t.match(
    await refused(sql`insert into event_retention (one) values (false)`),
    /event_retention_one_row/,
    'and is the only one',
  );
}

t.test('old events are pruned in batches, recent ones kept; a cursor before them is 410', async (t) => {
  await oldAndRecentFeed(t, await buildTestApp(t, { config: retentionConfig() }));
});

t.test('the same on the embedded database (PGlite)', async (t) => {
  const database = await pgliteDatabase();
  t.teardown(() => database.drop());
  await oldAndRecentFeed(t, await buildTestApp(t, { config: retentionConfig(), database }));
});

t.test('delivered attempts go with their events; what a subscription has still to send stays', async (t) => {
  const api = await buildTestApp(t, { config: retentionConfig() });
  const receiver = await startReceiver();
  t.teardown(receiver.close);
  const { ward } = await createTree(api);
  const webhook = await subscribe(api, { url: receiver.url, eventTypes: ['feedback.received'] });
  await recordFeedback(api, ward.id);
  await recordFeedback(api, ward.id);
  await receiver.received(2);
  await until('two delivered', async () => (await deliveries(api, webhook.id)).every((d) => d.status === 'delivered'));

  receiver.respondWith(answer(503));
  const retried = await recordFeedback(api, ward.id);
  await receiver.received(3);
  await until('the third retrying', async () => (await deliveries(api, webhook.id)).length === 3);
  // Recorded once the third is retrying: the worker, backing off, queues nothing behind it yet. Recorded
  // before, it could be read from the feed with the third and queued at once, which is not this test.
  const queued = await recordFeedback(api, ward.id);
  await backdateEvents(api);

  t.ok((await pruneAll(api)).length > 0, 'the events before the retrying one go');
  const kept = await deliveries(api, webhook.id);
  t.same(
    kept.map((delivery) => delivery.status),
    ['pending'],
    'the delivered deliveries went with their events; the pending one stays',
  );
  const retriedEvent = verified(webhook.secret, receiver.messages[2]!);
  t.equal(retriedEvent.data.id, retried.id);
  t.equal(kept[0]!.eventId, retriedEvent.id, 'it is the retrying one');

  receiver.respondWith(answer(204));
  await api.sql(sql`update webhook_deliveries set next_attempt_at = now() where status = 'pending'`);
  await receiver.received(5);
  t.same(
    receiver.messages.slice(3).map((message) => verified(webhook.secret, message).data.id),
    [retried.id, queued.id],
    'the retrying delivery and the event queued behind it arrive, in order',
  );
  await until('all delivered', async () => (await deliveries(api, webhook.id)).every((d) => d.status === 'delivered'));
  await pruneAll(api);
  t.same(await deliveries(api, webhook.id), [], 'once delivered, they go too');
});

t.test('a subscription disabled past the retention resumes with the oldest event kept', async (t) => {
  const api = await buildTestApp(t, { config: retentionConfig() });
  const receiver = await startReceiver(answer(410));
  t.teardown(receiver.close);
  const { ward } = await createTree(api);
  const webhook = await subscribe(api, { url: receiver.url, eventTypes: ['feedback.received'] });
  await recordFeedback(api, ward.id);
  await until('disabled', async () => {
    const response = await api.request({ method: 'GET', url: `/v1/webhooks/${webhook.id}` });
    return response.json().status === 'disabled';
  });
  await recordFeedback(api, ward.id);
  await backdateEvents(api);
  t.ok((await pruneAll(api)).length > 0, 'a disabled subscription holds nothing back');
  t.same(await deliveries(api, webhook.id), [], 'its failed delivery went with its event');

  const recent = await recordFeedback(api, ward.id);
  receiver.respondWith(answer(204));
  const enabled = await api.request({ method: 'POST', url: `/v1/webhooks/${webhook.id}/enable` });
  t.equal(enabled.statusCode, 200, 'enabled again');
  await receiver.received(2);
  t.equal(verified(webhook.secret, receiver.messages[1]!).data.id, recent.id, 'the event kept is delivered');
  await until('delivered', async () => (await deliveries(api, webhook.id))[0]?.status === 'delivered');
  t.equal(receiver.messages.length, 2, 'and nothing else: the pruned events are not sent');
});

t.test('a writer is not blocked by a prune batch, and a second instance skips it', { skip: !onServer }, async (t) => {
  const api = await buildTestApp(t, { config: retentionConfig() });
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff');
  for (let i = 0; i < 3; i++) await recordFeedback(api, ward.id);
  const before = await readAll(api, staff);
  await backdateEvents(api);

  await api.app.db.transaction(async (tx) => {
    const pruned = await pruneFeedBatch(tx, new Date(Date.now() - 86_400_000), undefined, 1000);
    t.equal(pruned, before.ids.length, 'a batch is open, its deletes uncommitted');
    t.equal(await prune(api), 0, 'another instance’s prune skips the locked batch instead of waiting');
    let timer: NodeJS.Timeout | undefined;
    const written = await Promise.race([
      recordFeedback(api, ward.id),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), 15_000);
      }),
    ]);
    clearTimeout(timer);
    t.ok(written, 'POST /v1/feedback completes while the batch holds its locks');
  });
  const after = await readAll(api, staff, before.cursor);
  t.ok(after.ids.length > 0, 'the new item’s events follow, after the pruned ones');
  t.same((await readAll(api, staff)).ids, after.ids, 'and nothing else is left');
});

t.test('the service prunes at start-up and stops cleanly on close', async (t) => {
  const first = await buildTestApp(t, { config: testConfig() });
  const { ward } = await createTree(first);
  const staff = await first.createKey('staff');
  for (let i = 0; i < 3; i++) await recordFeedback(first, ward.id);
  await backdateEvents(first);
  t.ok((await readAll(first, staff)).ids.length > 0, 'old events, kept by a service at the default 400 days');

  const closed = await buildTestApp(t, { config: retentionConfig(), database: first.database });
  await closed.app.close();
  t.pass('closing while the start-up prune may still run ends it between batches');

  const second = await buildTestApp(t, { config: retentionConfig(), database: first.database });
  await until('pruned at start-up', async () => (await readAll(second, staff)).ids.length === 0);
  t.pass('a service at one day prunes them at start-up');
});
