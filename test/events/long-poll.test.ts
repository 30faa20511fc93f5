import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/client.js';
import { eventsChannel } from '../../src/modules/events/event-signal.js';
import { buildTestApp, createTree, type TestApp, testConfig, withHelpers } from '../helpers/app.js';
import { createTestDatabase, onServer } from '../helpers/database.js';
import { loop } from '../helpers/fixtures.js';

async function cursorNow(api: TestApp, key: string): Promise<string> {
  const response = await api.request({ method: 'GET', url: '/v1/events?limit=500', key });
  return response.json().nextCursor;
}

const poll = (api: TestApp, key: string, cursor: string, wait: number) =>
  api.request({
    method: 'GET',
    url: `/v1/events?wait=${wait}&types=feedback.received&after=${encodeURIComponent(cursor)}`,
    key,
  });

t.test(
  'many long polls waking at once leave the connection pool to other requests',
  { skip: onServer ? false : 'needs PostgreSQL: a pool, and a second connection to hold a lock' },
  async (t) => {
    const database = await createTestDatabase();
    // A request that cannot get one of the pool's ten connections within 1.5 s answers 503.
    const handle = await openDatabase({ url: database.url!, timeouts: { connectMs: 1_500 } });
    const app = await buildApp(testConfig({ EVENTS_LONG_POLLS_PER_KEY: '30', EVENTS_FEED_QUERIES: '2' }), {
      database: handle,
      logger: false,
    });
    const locker = new pg.Client({ connectionString: database.url! });
    await locker.connect();
    t.teardown(async () => {
      await locker.end().catch(() => {});
      await app.close();
      await handle.close();
      await database.drop();
    });
    const api = withHelpers(app, database);
    const { ward } = await createTree(api);
    const staff = await api.createKey('staff');
    const cursor = await cursorNow(api, staff);

    const polls = Array.from({ length: 20 }, () => poll(api, staff, cursor, 30));
    await sleep(2_000);
    // Every feed query now blocks until the lock is released; a notification wakes all twenty polls.
    await locker.query('begin');
    await locker.query('lock table event_commits in access exclusive mode');
    const notifier = new pg.Client({ connectionString: database.url! });
    await notifier.connect();
    await notifier.query('select pg_notify($1, $2)', [eventsChannel, '']);
    await notifier.end();
    await sleep(1_000);

    for (let i = 0; i < 5; i++) {
      const units = await api.request({ method: 'GET', url: '/v1/units', key: staff });
      t.equal(units.statusCode, 200, `other request ${i + 1} still gets a connection`);
    }
    const board = await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null });
    t.equal(board.statusCode, 200, 'so does a board');

    await locker.query('commit');
    const item = await loop(api).feedback(ward.id);
    const answers = await Promise.all(polls);
    t.same(
      answers.map((answer) => answer.statusCode),
      answers.map(() => 200),
    );
    t.same(
      answers.map((answer) => answer.json().events.map((event: { data: { id: string } }) => event.data.id)),
      answers.map(() => [item.id]),
      'and every poll then answers with the new item',
    );
  },
);

t.test('a long poll is woken by the change itself, not by a recheck', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff');
  // Eight seconds is less than the safety recheck, and the deadline answers the empty page without
  // reading: an event in the answer can only have come through the notification.
  const waiting = poll(api, staff, await cursorNow(api, staff), 8);
  await sleep(1_000);
  const item = await loop(api).feedback(ward.id);
  const answer = await waiting;
  t.equal(answer.statusCode, 200);
  t.same(
    answer.json().events.map((event: { data: { id: string } }) => event.data.id),
    [item.id],
  );

  const nothing = await poll(api, staff, answer.json().nextCursor, 1);
  t.same(nothing.json().events, [], 'with nothing new, the wait ends with an empty page');
});

t.test('open long polls are capped per key (429) and in total (503), with Retry-After', async (t) => {
  const api = await buildTestApp(t, {
    config: testConfig({ EVENTS_LONG_POLLS_PER_KEY: '2', EVENTS_LONG_POLLS_TOTAL: '3' }),
  });
  const { ward } = await createTree(api);
  const first = await api.createKey('staff', null, 'first poller');
  const second = await api.createKey('staff', null, 'second poller');
  const cursor = await cursorNow(api, first);
  const held = [poll(api, first, cursor, 6), poll(api, first, cursor, 6)];
  await sleep(1_500);

  const overKey = await poll(api, first, cursor, 6);
  t.equal(overKey.statusCode, 429, 'a third wait by the same key');
  t.match(overKey.headers['content-type'], /^application\/problem\+json/);
  t.equal(overKey.headers['retry-after'], '5');
  t.match(overKey.json().detail, 'EVENTS_LONG_POLLS_PER_KEY');
  t.equal((await poll(api, first, cursor, 0)).statusCode, 200, 'a read without wait is not a long poll');

  held.push(poll(api, second, cursor, 6));
  await sleep(1_500);
  const overTotal = await poll(api, second, cursor, 6);
  t.equal(overTotal.statusCode, 503, 'a wait beyond the instance’s total');
  t.equal(overTotal.headers['retry-after'], '5');
  t.match(overTotal.json().detail, 'EVENTS_LONG_POLLS_TOTAL');

  const item = await loop(api).feedback(ward.id);
  for (const answer of await Promise.all(held)) {
    t.same(
      answer.json().events.map((event: { data: { id: string } }) => event.data.id),
      [item.id],
    );
  }
  const after = await poll(api, first, cursor, 6);
  t.equal(after.statusCode, 200, 'answered polls free their places; with events waiting it answers at once');
});
