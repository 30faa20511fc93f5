import { sql } from 'drizzle-orm';
import t from 'tap';
import { requestHash } from '../../src/http/idempotency.js';
import { createFeedbackSchema } from '../../src/modules/feedback/feedback.schemas.js';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';

const countItems = async (api: TestApp) => Number((await api.sql(sql`select count(*) as n from feedback_items`))[0]?.n);

t.test('Idempotency-Key: replay, reuse with another body, per API key', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff');
  const payload = { unitId: ward.id, text: 'Please open the garden earlier', themes: ['environment'] };
  const send = (body: Record<string, unknown>, key = 'k-1', apiKey = staff) =>
    api.request({
      method: 'POST',
      url: '/v1/feedback',
      key: apiKey,
      payload: body,
      headers: { 'idempotency-key': key },
    });

  const first = await send(payload);
  t.equal(first.statusCode, 201);
  const replay = await send({ themes: ['environment'], text: 'Please open the garden earlier', unitId: ward.id });
  t.equal(replay.statusCode, 201, 'same key, same body (keys in another order): the first response');
  t.same(replay.json(), first.json(), 'the same body');
  t.equal(replay.headers.location, first.headers.location);
  t.equal(await countItems(api), 1, 'recorded once');

  const reused = await send({ ...payload, text: 'Something else' });
  t.equal(reused.statusCode, 422);
  t.equal(reused.json().type, 'urn:wedid:problem:idempotency-key-reused');

  const otherKey = await send(payload, 'k-1', await api.createKey('staff', null, 'another system'));
  t.equal(otherKey.statusCode, 201, 'keys are per API key');
  t.not(otherKey.json().id, first.json().id);

  const noKey = await api.request({ method: 'POST', url: '/v1/feedback', key: staff, payload });
  t.equal(noKey.statusCode, 201, 'without the header each request is new');
  t.equal(await countItems(api), 3);

  // A failed first attempt releases the key, so a corrected retry can use it.
  const failed = await send({ ...payload, themes: ['nope'] }, 'k-2');
  t.equal(failed.statusCode, 400);
  const retried = await send({ ...payload, themes: ['nope'] }, 'k-2');
  t.equal(retried.statusCode, 400, 'the failure is not cached: the request ran again');
  const fixed = await send(payload, 'k-2');
  t.equal(fixed.statusCode, 201);

  const bad = await send(payload, 'with space');
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().errors[0].in, 'headers');
});

t.test('Idempotency-Key: 409 while the first request is in flight; abandoned claims are taken over', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staffSecret = await api.createKey('staff', null, 'kiosk');
  const [key] = await api.sql(sql`select id from api_keys where name = 'kiosk'`);
  const payload = { unitId: ward.id, text: 'The lift is broken' };
  // The hash covers the request as validated (defaults filled in), so an explicit default is the same request.
  const hash = requestHash('POST /v1/feedback', createFeedbackSchema.parse(payload));
  const send = (idempotencyKey: string) =>
    api.request({
      method: 'POST',
      url: '/v1/feedback',
      key: staffSecret,
      payload,
      headers: { 'idempotency-key': idempotencyKey },
    });

  // A claim with no response yet: the first request is still running.
  await api.sql(sql`insert into idempotency_keys (api_key_id, key, request_hash) values (${key?.id}, 'busy', ${hash})`);
  const busy = await send('busy');
  t.equal(busy.statusCode, 409);
  t.equal(busy.json().type, 'urn:wedid:problem:idempotency-in-flight');
  t.equal(busy.headers['retry-after'], '1');
  t.equal(await countItems(api), 0);

  // A claim left behind by a request that died long ago is taken over.
  await api.sql(
    sql`insert into idempotency_keys (api_key_id, key, request_hash, created_at)
        values (${key?.id}, 'dead', ${hash}, now() - interval '5 minutes')`,
  );
  t.equal((await send('dead')).statusCode, 201);

  // Concurrent requests with one key: one runs, each other one is told to wait or gets its reply.
  const burst = await Promise.all(Array.from({ length: 6 }, () => send('burst')));
  const created = burst.filter((response) => response.statusCode === 201);
  const waiting = burst.filter((response) => response.statusCode === 409);
  t.equal(created.length + waiting.length, 6, burst.map((r) => r.statusCode).join(','));
  t.ok(created.length >= 1);
  t.equal(new Set(created.map((response) => response.json().id)).size, 1, 'every 201 names the same item');
  t.equal(await countItems(api), 2, 'the burst recorded one item');
  const later = await send('burst');
  t.equal(later.json().id, created[0]?.json().id, 'and is replayed afterwards');
});
