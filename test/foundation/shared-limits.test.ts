import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig, loggableSettings } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { buildTestApp, createTree, type TestApp, testConfig, withHelpers } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';

const redisUrl = 'redis://127.0.0.1:6379';
/** Nothing listens there: a Redis that is down. */
const closedRedisUrl = 'redis://127.0.0.1:6390';
/** This run's keys, so runs (and the tests in one run) never meet; deleted at the end. */
const runPrefix = `wedid-test-${randomUUID().slice(0, 8)}:`;

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const skip = (await redisAnswers(redisUrl)) ? false : `Redis is not reachable at ${redisUrl}`;
if (skip) t.comment(`${skip}: the shared-limit tests are skipped`);

const database = await createTestDatabase();
t.teardown(async () => {
  await database.drop();
  if (skip) return;
  const client = new Redis(redisUrl);
  const keys = await client.keys(`${runPrefix}*`);
  if (keys.length > 0) await client.del(...keys);
  await client.quit();
});

t.test('REDIS_URL and REDIS_KEY_PREFIX are validated; the password is masked in the start-up line', async (t) => {
  t.throws(() => loadConfig({ REDIS_URL: 'http://cache:6379' }), {
    message: /REDIS_URL: must be a redis:\/\/ or rediss:/,
  });
  t.throws(() => loadConfig({ REDIS_KEY_PREFIX: 'has spaces' }), { message: /REDIS_KEY_PREFIX:/ });
  t.equal(loadConfig({}).REDIS_KEY_PREFIX, 'wedid:');
  t.equal(loadConfig({}).REDIS_URL, undefined, 'unset: each instance counts alone');
  const line = JSON.stringify(
    loggableSettings(loadConfig({ REDIS_URL: 'rediss://:t0p-s3cret@cache.example.org:6380' })),
  );
  t.notMatch(line, 't0p-s3cret');
  t.match(line, 'rediss://:***@cache.example.org:6380');
});

let testNumber = 0;

/**
 * Two instances of the service on the same database with the same settings, as behind a load
 * balancer. Each test gets its own key prefix, so the counts of one do not reach the next.
 */
async function twoInstances(t: Test, settings: Record<string, string>): Promise<[TestApp, TestApp]> {
  const config = testConfig({ REDIS_KEY_PREFIX: `${runPrefix}${++testNumber}:`, ...settings });
  const first = await buildTestApp(t, { database, config });
  // PostgreSQL: the second instance has its own pool, as another process would. PGlite has one connection.
  const handle = database.url ? await openDatabase({ url: database.url }) : database.handle;
  const app = await buildApp(config, { database: handle, logger: false });
  t.teardown(async () => {
    await app.close();
    if (handle !== database.handle) await handle.close();
  });
  // As a balancer would, send nothing until both say they are ready: a start-up on a busy machine
  // can have an instance shed its first requests.
  for (const instance of [first.app, app]) await waitUntil(instance, (ready) => ready.statusCode === 200);
  return [first, withHelpers(app, database)];
}

async function waitUntil(app: FastifyInstance, done: (ready: LightMyRequestResponse) => boolean) {
  for (let i = 0; i < 100; i++) {
    if (done(await app.inject({ url: '/health/ready' }))) return;
    await sleep(100);
  }
  throw new Error('readiness never said what the test waits for');
}

function expectLimited(t: Test, response: LightMyRequestResponse, what: string) {
  t.equal(response.statusCode, 429, what);
  t.match(response.headers['content-type'], /^application\/problem\+json/);
  t.equal(response.json().type, 'urn:wedid:problem:rate-limited');
  t.ok(Number(response.headers['retry-after']) > 0, 'Retry-After');
}

/** Sends `count` requests, alternating between the instances; fails the test on any other status than `status`. */
async function spread(
  t: Test,
  instances: TestApp[],
  count: number,
  status: number,
  send: (api: TestApp, i: number) => Promise<LightMyRequestResponse>,
) {
  for (let i = 0; i < count; i++) {
    const response = await send(instances[i % instances.length]!, i);
    if (response.statusCode !== status) t.fail(`request ${i + 1}: ${response.statusCode} ${response.body}`);
  }
}

const units = (api: TestApp, key: string) => api.request({ method: 'GET', url: '/v1/units', key });

t.test('with REDIS_URL two instances together allow exactly the per-key budget', { skip }, async (t) => {
  const [first, second] = await twoInstances(t, { REDIS_URL: redisUrl, RATE_LIMIT_PER_KEY_PER_MINUTE: '10' });
  const key = await first.createKey('staff', null, 'integration behind a balancer');

  await spread(t, [first, second], 10, 200, (api) => units(api, key));
  expectLimited(t, await units(first, key), 'the 11th on the first instance');
  expectLimited(t, await units(second, key), 'and on the second');
  t.equal(
    (await second.request({ method: 'GET', url: '/v1/units' })).statusCode,
    200,
    'another key has its own budget',
  );
});

t.test('with REDIS_URL the per-address budgets are shared: boards and tracking', { skip }, async (t) => {
  const [first, second] = await twoInstances(t, { REDIS_URL: redisUrl, BOARD_RATE_LIMIT_PER_MINUTE: '6' });
  const { ward } = await createTree(first);
  const board = (api: TestApp, remoteAddress: string) =>
    api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null, remoteAddress });

  await spread(t, [first, second], 6, 200, (api) => board(api, '203.0.113.20'));
  expectLimited(t, await board(second, '203.0.113.20'), 'the 7th board request from one address');
  t.equal((await board(first, '203.0.113.21')).statusCode, 200, 'another address is unaffected');

  // Tracking's guess budget (30 a minute) is shared by the JSON route and the page, on every instance.
  const track = (api: TestApp, url: string) =>
    api.request({ method: 'GET', url, key: null, remoteAddress: '203.0.113.22' });
  await spread(t, [first, second], 30, 404, (api, i) =>
    track(api, i % 4 < 2 ? '/v1/track/AAAA-AAAA' : '/track/AAAA-AAAA'),
  );
  expectLimited(t, await track(first, '/v1/track/AAAA-AAAA'), 'the 31st lookup');
});

t.test('with REDIS_URL the public form’s hourly limit and failed keys count across instances', { skip }, async (t) => {
  const [first, second] = await twoInstances(t, {
    REDIS_URL: redisUrl,
    TELL_US_RATE_LIMIT_PER_HOUR: '4',
    TELL_US_RATE_LIMIT_WITHOUT_CHALLENGE_PER_HOUR: '3',
    AUTH_FAILURES_PER_MINUTE: '4',
  });
  const { ward } = await createTree(first, 'FORM');
  const send = (api: TestApp, text: string) =>
    api.request({
      method: 'POST',
      url: `/v1/units/${ward.id}/public-feedback`,
      key: null,
      remoteAddress: '203.0.113.30',
      payload: { text },
    });
  // No proof-of-work here (no ALTCHA key), so the stricter hourly limit is the one reached.
  await spread(t, [first, second], 3, 201, (api, i) => send(api, `sending ${i + 1}`));
  expectLimited(t, await send(second, 'sending 4'), 'the 4th sending without a proof-of-work');
  expectLimited(t, await send(first, 'sending 5'), 'on either instance');

  const guess = (api: TestApp, key: string) =>
    api.app.inject({
      method: 'GET',
      url: '/v1/units',
      remoteAddress: '203.0.113.31',
      headers: { authorization: `Bearer ${key}` },
    });
  await spread(t, [first, second], 4, 401, (api, i) => guess(api, `guess-${i}`));
  expectLimited(t, await guess(first, 'guess-5'), 'the 5th refused key from one address');
});

t.test('with REDIS_URL a solved proof-of-work is spent once on all instances together', { skip }, async (t) => {
  const [first, second] = await twoInstances(t, {
    REDIS_URL: redisUrl,
    ALTCHA_HMAC_KEY: 'k8ZpQ2vX9rT4mW7yB1nC5dF3gH6jL0sA',
    TELL_US_RATE_LIMIT_WITHOUT_CHALLENGE_PER_HOUR: '1',
  });
  const { ward } = await createTree(first, 'PROOF');
  const challenge = (await first.request({ method: 'GET', url: '/v1/public-feedback/challenge', key: null })).json();
  const proof = Buffer.from(
    JSON.stringify({ challenge, solution: await solveChallenge({ challenge, deriveKey }) }),
  ).toString('base64');
  const send = (api: TestApp, text: string) =>
    api.request({
      method: 'POST',
      url: `/v1/units/${ward.id}/public-feedback`,
      key: null,
      remoteAddress: '203.0.113.35',
      payload: { text, altcha: proof },
    });
  t.equal((await send(first, 'proven once')).statusCode, 201, 'the solution proves a sending');
  t.equal((await send(second, 'proven again')).statusCode, 201, 'used again elsewhere it counts as unproven');
  expectLimited(t, await send(first, 'and again'), 'so the stricter limit is reached');
});

t.test('without REDIS_URL each instance counts alone, as before', async (t) => {
  const [first, second] = await twoInstances(t, { RATE_LIMIT_PER_KEY_PER_MINUTE: '3' });
  const key = await first.createKey('staff');
  await spread(t, [first], 3, 200, (api) => units(api, key));
  await spread(t, [second], 3, 200, (api) => units(api, key));
  expectLimited(t, await units(first, key), 'each instance keeps its own budget');
  t.same((await first.request({ method: 'GET', url: '/health/ready', key: null })).json(), { status: 'ok' });
});

/** Pino lines written by an app, parsed. */
function logLines(): { lines: { level: number; msg: string }[]; stream: Writable } {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

t.test('a Redis that is down: limits let requests through, readiness says so with 200, one warning', async (t) => {
  const log = logLines();
  const config = testConfig({
    REDIS_URL: closedRedisUrl,
    REDIS_KEY_PREFIX: `${runPrefix}down:`,
    RATE_LIMIT_PER_KEY_PER_MINUTE: '2',
    BOARD_RATE_LIMIT_PER_MINUTE: '2',
    TELL_US_RATE_LIMIT_PER_HOUR: '2',
    AUTH_FAILURES_PER_MINUTE: '2',
  });
  const app = await buildApp(config, { database: database.handle, logger: { level: 'warn', stream: log.stream } });
  t.teardown(() => app.close());
  const api = withHelpers(app, database);
  const { ward } = await createTree(api, 'DOWN');
  const key = await api.createKey('staff');

  const statuses: number[] = [];
  const note = (response: LightMyRequestResponse) => {
    statuses.push(response.statusCode);
    return response;
  };
  for (let i = 0; i < 5; i++) {
    note(await units(api, key));
    note(await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null }));
    note(await api.request({ method: 'GET', url: '/v1/track/AAAA-AAAA', key: null }));
    note(
      await api.request({
        method: 'POST',
        url: `/v1/units/${ward.id}/public-feedback`,
        key: null,
        payload: { text: `down ${i}` },
      }),
    );
    note(await api.request({ method: 'GET', url: '/v1/units', key: `guess-${i}` }));
  }
  t.same(
    statuses.filter((status) => status >= 429),
    [],
    'every request is answered as without limits: no 429, no 500',
  );
  t.same([...new Set(statuses)].sort(), [200, 201, 401, 404]);

  const ready = note(await api.request({ method: 'GET', url: '/health/ready', key: null }));
  t.equal(ready.statusCode, 200, 'still ready: the database answers');
  t.same(ready.json(), { status: 'ok', redis: 'unreachable' });

  const warnings = log.lines.filter((line) => /Redis is unreachable/.test(line.msg));
  t.equal(warnings.length, 1, 'one warning, not one per request');
  t.equal(warnings[0]?.level, 40, 'at warn level');
});

t.test('a Redis address that accepts connections but never answers stalls neither start-up nor requests', async (t) => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });
  const { port } = silent.address() as AddressInfo;
  const config = testConfig({
    REDIS_URL: `redis://127.0.0.1:${port}`,
    REDIS_KEY_PREFIX: `${runPrefix}silent:`,
    RATE_LIMIT_PER_KEY_PER_MINUTE: '1',
  });
  const app = await buildApp(config, { database: database.handle, logger: false });
  t.teardown(() => app.close());
  const api = withHelpers(app, database);
  await spread(t, [api], 3, 200, (api) => api.request({ method: 'GET', url: '/v1/units' }));
  t.same((await api.request({ method: 'GET', url: '/health/ready', key: null })).json(), {
    status: 'ok',
    redis: 'unreachable',
  });
});

/** A free TCP port on 127.0.0.1 (asked of the system, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A Redis of the test's own, keeping nothing on disk, answering when this resolves. */
async function startRedis(port: number): Promise<ChildProcess> {
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100 && !(await redisAnswers(`redis://127.0.0.1:${port}`)); i++) await sleep(50);
  return server;
}

async function stopRedis(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGKILL');
  await exited;
}

t.test(
  'a Redis that hangs, goes away and comes back: limits fail open, then count again',
  { skip: hasRedisServer() ? false : 'no redis-server binary to stop and start' },
  async (t) => {
    const port = await freePort();
    let redis = await startRedis(port);
    t.teardown(() => stopRedis(redis));
    const [first, second] = await twoInstances(t, {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      RATE_LIMIT_PER_KEY_PER_MINUTE: '3',
    });
    const key = await first.createKey('staff');
    await spread(t, [first, second], 3, 200, (api) => units(api, key));
    expectLimited(t, await units(second, key), 'counted in Redis');

    // Hung: connected but answering nothing. Each command gives up after its short timeout.
    redis.kill('SIGSTOP');
    await spread(t, [first, second], 2, 200, (api) => units(api, key));
    t.equal(
      (await first.request({ method: 'GET', url: '/health/ready', key: null })).json().redis,
      'unreachable',
      'a hung Redis is unreachable',
    );

    await stopRedis(redis);
    await spread(t, [first, second], 4, 200, (api) => units(api, key));
    await waitUntil(first.app, (ready) => ready.json().redis === 'unreachable');

    // This Redis keeps nothing on disk, so it comes back with no counts.
    redis = await startRedis(port);
    for (const { app } of [first, second]) await waitUntil(app, (ready) => ready.json().redis === 'ok');
    await spread(t, [first, second], 3, 200, (api) => units(api, key));
    expectLimited(t, await units(first, key), 'counting resumes once Redis answers again');
  },
);
