import t, { type Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/client.js';
import { adminSecret, buildTestApp, testConfig } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

t.test('liveness and readiness answer 200 while the database answers', async (t) => {
  const api = await buildTestApp(t);
  const live = await api.request({ method: 'GET', url: '/health/live', key: null });
  t.equal(live.statusCode, 200);
  t.same(live.json(), { status: 'ok' });
  const ready = await api.request({ method: 'GET', url: '/health/ready', key: null });
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: 'ok' });
});

t.test('when the database stops answering: ready is a 503 problem with Retry-After', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop().catch(() => {}));

  if (database.url) {
    // PostgreSQL behind a TCP relay we can cut, as when the database server goes away.
    const proxy = await startTcpProxy(database.url);
    const handle = await openDatabase({ url: proxy.url });
    t.teardown(async () => {
      await handle.close().catch(() => {});
      await proxy.close();
    });
    const app = await buildApp(testConfig(), { database: handle, logger: false });
    t.teardown(() => app.close());
    t.equal((await app.inject({ url: '/health/ready' })).statusCode, 200, 'ready through the relay');

    await proxy.cut();
    await expectUnavailable(t, app);
    // A pool already closed (a request racing shutdown) is unavailable too, not an internal error.
    await handle.close();
    await expectUnavailable(t, app);
  } else {
    // Embedded PGlite: the database handle is closed under the running app.
    const app = await buildApp(testConfig(), { database: database.handle, logger: false });
    t.teardown(() => app.close());
    t.equal((await app.inject({ url: '/health/ready' })).statusCode, 200);
    await database.handle.close();
    await expectUnavailable(t, app);
  }
});

async function expectUnavailable(t: Test, app: Awaited<ReturnType<typeof buildApp>>) {
  const ready = await app.inject({ url: '/health/ready' });
  t.equal(ready.statusCode, 503);
  t.match(ready.headers['content-type'], /^application\/problem\+json/);
  t.equal(ready.json().type, 'urn:wedid:problem:service-unavailable');
  t.ok(Number(ready.headers['retry-after']) > 0, 'Retry-After is set');
  t.equal((await app.inject({ url: '/health/live' })).statusCode, 200, 'the process is still live');

  const api = await app.inject({ url: '/v1/units', headers: { authorization: `Bearer ${adminSecret}` } });
  t.equal(api.statusCode, 503, 'an API call is a 503, not a 500');
  t.equal(api.json().type, 'urn:wedid:problem:service-unavailable');
  t.ok(api.headers['retry-after']);
}
