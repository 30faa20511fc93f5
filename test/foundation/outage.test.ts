import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import t, { type Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/rows.js';
import { adminSecret, createTree, testConfig, withHelpers } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

// PostgreSQL going away under a running service. Every test builds the app from a DATABASE_URL, so it
// opens its own pool with the configured time limits, as in production.
const database = await createTestDatabase();
t.teardown(() => database.drop());
const serverUrl = database.url;

if (!serverUrl) {
  t.test(
    'outages of a PostgreSQL server',
    { skip: 'needs a PostgreSQL server: embedded PGlite has no network or backends to lose' },
    async () => {},
  );
} else {
  const databaseName = new URL(serverUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  t.teardown(() => admin.end());
  const terminateBackends = async () => {
    const result = await admin.query(
      'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [databaseName],
    );
    return result.rows[0].n as number;
  };

  t.test('connections carry the time limits, through the app’s own pool', async (t) => {
    const defaults = await buildApp(testConfig({ DATABASE_URL: serverUrl }), { logger: false });
    t.teardown(() => defaults.close());
    t.same(await settings(defaults), { statement: '30s', idleInTransaction: '30s' }, 'the defaults');

    const configured = await buildApp(testConfig({ DATABASE_URL: serverUrl, DATABASE_STATEMENT_TIMEOUT_MS: '1500' }), {
      logger: false,
    });
    t.teardown(() => configured.close());
    t.same(await settings(configured), { statement: '1500ms', idleInTransaction: '1500ms' }, 'from the config');

    const slow = await configured.db.execute(sql`select pg_sleep(3)`).catch((error: unknown) => error);
    t.equal((slow as { cause?: { code?: string } }).cause?.code, '57014', 'PostgreSQL cancels a longer statement');
  });

  t.test('every backend terminated by PostgreSQL, again and again, while requests run', async (t) => {
    const app = await buildApp(testConfig({ DATABASE_URL: serverUrl }), { logger: false });
    t.teardown(() => app.close());
    const api = withHelpers(app, database);
    const { site, ward } = await createTree(api, 'KILL');
    const intake = await api.createKey('intake', ward.id);

    let created = 0;
    const mixedRequests = () => [
      api.request({ method: 'GET', url: '/v1/units' }),
      api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null }),
      api.request({
        method: 'POST',
        url: '/v1/units',
        payload: { type: 'team', code: `KILL-TEAM-${created++}`, name: 'A team', parentId: site.id },
      }),
      api.request({
        method: 'POST',
        url: '/v1/feedback',
        key: intake,
        payload: { unitId: ward.id, text: 'The garden is locked', kind: 'concern', channel: 'kiosk' },
      }),
    ];

    for (let round = 1; round <= 5; round++) {
      const inFlight = Array.from({ length: 5 }, mixedRequests).flat();
      // Terminate while the requests hold connections: idle ones, in queries, inside transactions.
      await sleep(round * 5);
      t.ok((await terminateBackends()) > 0, `round ${round}: backends terminated`);
      const answers = await Promise.all(inFlight);
      const unavailable = answers.filter((answer) => answer.statusCode === 503);
      t.same(
        answers
          .filter((answer) => ![200, 201, 503].includes(answer.statusCode))
          .map((a) => `${a.statusCode} ${a.body}`),
        [],
        `round ${round}: each request succeeds or answers 503, never 500`,
      );
      for (const answer of unavailable) expectUnavailable(t, answer);
      // The pool holds ten connections; each lost one can fail at most the one request using it.
      t.ok(unavailable.length <= 10, `round ${round}: ${unavailable.length} of ${answers.length} answered 503`);
    }

    // Killed connections were replaced: as many requests in a row as the pool has connections, and more.
    for (let i = 0; i < 3; i++) {
      const answers = await Promise.all(Array.from({ length: 4 }, mixedRequests).flat());
      t.same(
        answers.map((answer) => answer.statusCode),
        Array.from({ length: 4 }, () => [200, 200, 201, 201]).flat(),
        'all answer again',
      );
    }
    t.equal((await app.inject({ url: '/health/ready' })).statusCode, 200, 'ready');
  });

  t.test('a transaction whose backend is terminated fails; the process survives', async (t) => {
    const app = await buildApp(testConfig({ DATABASE_URL: serverUrl }), { logger: false });
    t.teardown(() => app.close());
    let terminated!: () => void;
    const afterTermination = new Promise<void>((resolve) => {
      terminated = resolve;
    });
    const transaction = app.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      await afterTermination;
      await tx.execute(sql`select 1`);
    });
    await sleep(100);
    await terminateBackends();
    // The connection's death reaches the client while the transaction holds it.
    await sleep(200);
    terminated();
    await t.rejects(transaction, 'the transaction fails');
    const answer = await app.inject({ url: '/v1/units', headers: { authorization: `Bearer ${adminSecret}` } });
    t.equal(answer.statusCode, 200, 'and the next request is answered');
  });

  t.test('LISTEN comes back by itself after its connection is terminated', async (t) => {
    // A handle opened as the service opens its own: boards listen through it to drop cached copies.
    const handle = await openDatabase({ url: serverUrl });
    t.teardown(() => handle.close());
    const received: string[] = [];
    const unlisten = await handle.listen('wedid_outage_test', (payload) => received.push(payload));
    t.teardown(unlisten);
    await terminateBackends();
    for (let attempt = 0; attempt < 50 && !received.includes('after'); attempt++) {
      await admin.query(`notify wedid_outage_test, 'after'`);
      await sleep(200);
    }
    t.ok(received.includes(''), 'the handler is told notifications may have been missed');
    t.ok(received.includes('after'), 'notifications arrive again');
  });

  t.test('the network to PostgreSQL cut, or silently dropping everything, then restored', async (t) => {
    const proxy = await startTcpProxy(serverUrl);
    t.teardown(() => proxy.close());
    // Short limits keep the test's own waits short; the production defaults are seconds long.
    const app = await buildApp(
      testConfig({
        DATABASE_URL: proxy.url,
        DATABASE_CONNECT_TIMEOUT_MS: '500',
        DATABASE_STATEMENT_TIMEOUT_MS: '1000',
        DATABASE_QUERY_TIMEOUT_MS: '1500',
      }),
      { logger: false },
    );
    t.teardown(() => app.close());
    const api = withHelpers(app, database);
    const { ward } = await createTree(api, 'NET');
    const duringOutage = async (t: Test) => {
      const answers = await Promise.all([
        app.inject({ url: '/health/ready' }),
        api.request({ method: 'GET', url: '/v1/units' }),
        api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null }),
        api.request({ method: 'POST', url: '/v1/units', payload: { type: 'team', code: 'NET-T', name: 'Team' } }),
      ]);
      for (const answer of answers) expectUnavailable(t, answer);
      t.equal((await app.inject({ url: '/health/live' })).statusCode, 200, 'live all along');
    };
    const answersAgain = async (t: Test) => {
      // Connections that were open when the network failed may each fail one request first.
      let answer: LightMyRequestResponse | undefined;
      for (let attempt = 0; attempt < 20 && answer?.statusCode !== 200; attempt++) {
        answer = await api.request({ method: 'GET', url: '/v1/units' });
        if (answer.statusCode !== 200) expectUnavailable(t, answer);
      }
      t.equal(answer?.statusCode, 200, 'answers again, without a restart');
      const more = await Promise.all(
        Array.from({ length: 12 }, () => api.request({ method: 'GET', url: `/v1/units/${ward.id}` })),
      );
      t.same(
        more.map((a) => a.statusCode),
        more.map(() => 200),
        'with every connection of the pool',
      );
      t.equal((await app.inject({ url: '/health/ready' })).statusCode, 200, 'ready again');
    };

    await t.test('connections closed and refused', async (t) => {
      await proxy.cut();
      await duringOutage(t);
      await proxy.restore();
      await answersAgain(t);
    });

    await t.test('connections accepted, packets dropped', async (t) => {
      // Fill the pool with open connections first: these are the ones that fall silent.
      await Promise.all(Array.from({ length: 10 }, () => app.db.execute(sql`select pg_sleep(0.1)`)));
      proxy.blackHole();
      // Transactions that begin on a silent connection must give it back to the pool, or the pool
      // would shrink to nothing and stay so after the network returns.
      const transactions = await Promise.allSettled(
        Array.from({ length: 10 }, () => app.db.transaction(async (tx) => tx.execute(sql`select 1`))),
      );
      t.same(
        transactions.map((result) => result.status),
        transactions.map(() => 'rejected'),
        'transactions fail',
      );
      await duringOutage(t);
      await proxy.restore();
      await answersAgain(t);
    });
  });
}

async function settings(app: FastifyInstance) {
  const show = async (name: string) => {
    const [row] = await rowsOf<Record<string, string>>(app.db, sql.raw(`show ${name}`));
    return Object.values(row ?? {})[0];
  };
  return {
    statement: await show('statement_timeout'),
    idleInTransaction: await show('idle_in_transaction_session_timeout'),
  };
}

function expectUnavailable(t: Test, answer: LightMyRequestResponse) {
  t.equal(answer.statusCode, 503, `${answer.statusCode} ${answer.body}`);
  t.match(answer.headers['content-type'], /^application\/problem\+json/);
  t.equal(answer.json().type, 'urn:wedid:problem:service-unavailable');
  t.ok(Number(answer.headers['retry-after']) > 0, 'Retry-After');
}
