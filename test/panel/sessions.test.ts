import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { loggerOptions } from '../../src/http/logging.js';
import { buildTestApp, createTree, testConfig, withHelpers } from '../helpers/app.js';
import { refusal } from '../helpers/refusal.js';
import { csrfOf, PanelClient, pathOf } from './panel-client.js';

const publicBaseUrl = 'https://feedback.willow-trust.example';

t.test('reviewer invites and sessions: one-time links, cookies, expiry, revocation, CSRF', async (t) => {
  const api = await buildTestApp(t, {
    config: testConfig({ PUBLIC_BASE_URL: publicBaseUrl, TRUST_PROXY: '127.0.0.1' }),
  });
  const { site, ward, otherWard } = await createTree(api, 'S');

  async function invite(unitId = ward.id, name = 'Sam') {
    const response = await api.request({ method: 'POST', url: '/v1/review/invites', payload: { name, unitId } });
    t.equal(response.statusCode, 201, 'the invite is created');
    return response.json() as { id: string; url: string; status: string; expiresAt: string };
  }

  /** Opens the link and presses Start; answers the client (signed in or not) and the Start answer. */
  async function start(url: string, client = new PanelClient(api)) {
    const page = await client.get(pathOf(url));
    const started = await client.post(pathOf(url), {}, { csrf: page.statusCode === 200 ? csrfOf(page) : null });
    return { client, page, started };
  }

  await t.test('an invite answers a one-time link under PUBLIC_BASE_URL, kept only as a hash', async (t) => {
    const created = await invite();
    t.match(created.url, new RegExp(`^${publicBaseUrl}/review/invite/[A-Za-z0-9_-]{43}$`));
    t.equal(created.status, 'open');
    const hours = (Date.parse(created.expiresAt) - Date.now()) / 3_600_000;
    t.ok(hours > 71.9 && hours <= 72, 'valid for REVIEW_INVITE_TTL_HOURS (72 by default)');
    const token = created.url.split('/').pop() as string;
    const [row] = await api.sql<Record<string, unknown>>(sql`select * from review_invites where id = ${created.id}`);
    for (const [column, value] of Object.entries(row ?? {}))
      t.notMatch(String(value), token, `${column} does not hold the token`);
    t.equal(row?.token_hash, createHash('sha256').update(token).digest('hex'));
    const list = await api.request({ method: 'GET', url: '/v1/review/invites' });
    t.notMatch(list.body, token, 'the list never shows a link');
    const audit = await api.sql<{ action: string }>(
      sql`select action from audit_events where entity_type = 'review_invite' and entity_id = ${created.id}`,
    );
    t.same(
      audit.map((row) => row.action),
      ['created'],
      'creating it is audited',
    );
  });

  await t.test('opening the link spends nothing; Start signs in with a strict cookie and a new id', async (t) => {
    const created = await invite();
    const client = new PanelClient(api);
    // A link-preview bot, or the person opening it twice, only GETs.
    for (let i = 0; i < 2; i++) t.equal((await client.get(pathOf(created.url))).statusCode, 200, 'the Start page');
    const page = await client.get(pathOf(created.url));
    t.match(page.body, /<button type="submit" class="big">Start<\/button>/);
    t.equal(page.headers['cache-control'], 'no-store');
    t.match(page.headers['content-security-policy'], /frame-ancestors 'none'/);
    t.match(page.headers['content-security-policy'], /script-src 'none'/);
    t.equal(page.headers['x-frame-options'], 'DENY');
    // A cookie planted before sign-in must not become the session (session fixation).
    client.cookies.set('wedid_review', 'planted.value');
    const started = await client.post(pathOf(created.url), {}, { csrf: csrfOf(page) });
    t.equal(started.statusCode, 303);
    t.equal(started.headers.location, '/review');
    const cookie = [started.headers['set-cookie']]
      .flat()
      .findLast((line) => line?.startsWith('wedid_review=') && !line.startsWith('wedid_review=;')) as string;
    t.ok(cookie, 'a session cookie is set');
    t.match(cookie, /HttpOnly/i);
    t.match(cookie, /SameSite=Strict/i);
    t.match(cookie, /Path=\/review/);
    t.notMatch(cookie, /Secure/i, 'not Secure over plain HTTP (a browser would drop it)');
    t.notMatch(cookie, /Max-Age|Expires/i, 'gone when the browser closes; the server keeps the expiry');
    t.not(client.cookies.get('wedid_review'), 'planted.value', 'the session id is new at sign-in');
    t.equal((await client.get('/review')).statusCode, 200, 'the list opens signed in');

    const [session] = await api.sql<{ id_hash: string; subject_id: string }>(
      sql`select id_hash, subject_id from sessions where subject_id = ${created.id}`,
    );
    t.equal(session?.subject_id, created.id);
    const sessionId = decodeURIComponent(client.cookies.get('wedid_review') as string).split('.')[0] as string;
    t.not(session?.id_hash, sessionId, 'the store keeps a hash of the id, not the id');
    t.equal(session?.id_hash, createHash('sha256').update(sessionId).digest('hex'));

    const audit = await api.sql<{ action: string; actor_name: string; actor_key_id: string | null }>(
      sql`select action, actor_name, actor_key_id from audit_events where entity_type = 'review_invite' and entity_id = ${created.id} order by seq`,
    );
    t.same(
      audit.map((row) => row.action),
      ['created', 'signed_in'],
    );
    t.equal(audit[1]?.actor_name, `Sam (session of invite ${created.id})`, 'audited as the session of that invite');
    t.equal(audit[1]?.actor_key_id, null, 'no API key behind it');
  });

  await t.test('an invite link used twice is refused, and starts no second session', async (t) => {
    const created = await invite();
    const first = await start(created.url);
    t.equal(first.started.statusCode, 303);
    const second = await start(created.url);
    t.equal(second.page.statusCode, 410, 'the link page says it was used');
    t.match(second.page.body, /already been used/);
    const again = await second.client.post(pathOf(created.url), {}, { csrf: csrfOf(first.page) });
    t.not(again.statusCode, 303, 'pressing Start on an old page does not sign in either');
    t.equal((await second.client.get('/review')).statusCode, 401, 'no session');
    const [count] = await api.sql<{ n: number }>(
      sql`select count(*)::int as n from sessions where subject_id = ${created.id}`,
    );
    t.equal(count?.n, 1, 'one session, from the first use');
  });

  await t.test('an expired invite link is refused', async (t) => {
    const token = 'expired-token-0123456789abcdefghijklmnopqrstu';
    const [row] = await api.sql<{
      id: string;
    }>(sql`insert into review_invites (token_hash, unit_id, created_at, expires_at)
      values (${createHash('sha256').update(token).digest('hex')}, ${ward.id}, now() - interval '4 days', now() - interval '1 day') returning id`);
    const { page, started, client } = await start(`${publicBaseUrl}/review/invite/${token}`);
    t.equal(page.statusCode, 410);
    t.match(page.body, /run out/);
    t.equal(started.statusCode, 403, 'without a page there is no token, and so no sign-in');
    const withToken = new PanelClient(api);
    const fresh = await invite();
    const freshPage = await withToken.get(pathOf(fresh.url));
    const refused = await withToken.post(`/review/invite/${token}`, {}, { csrf: csrfOf(freshPage) });
    t.equal(refused.statusCode, 410, 'Start with a good form token still finds the link expired');
    t.equal((await client.get('/review')).statusCode, 401);
    const list = await api.request({ method: 'GET', url: '/v1/review/invites?limit=100' });
    t.equal(
      (list.json().items as { id: string; status: string }[]).find((item) => item.id === row?.id)?.status,
      'expired',
    );
  });

  await t.test('a revoked invite: the link stops working and its session ends at the next request', async (t) => {
    const used = await invite();
    const { client } = await start(used.url);
    t.equal((await client.get('/review')).statusCode, 200);
    const open = await invite();
    for (const id of [used.id, open.id]) {
      t.equal((await api.request({ method: 'DELETE', url: `/v1/review/invites/${id}` })).statusCode, 204);
    }
    const after = await client.get('/review');
    t.equal(after.statusCode, 401, 'the revoked invite’s session is refused');
    t.match(after.body, /not signed in/);
    const { page } = await start(open.url);
    t.equal(page.statusCode, 410);
    t.match(page.body, /stopped by the ward team/);
    const list = await api.request({ method: 'GET', url: '/v1/review/invites?limit=100' });
    const items = list.json().items as { id: string; status: string; activeSessions: number }[];
    t.match(
      items.find((item) => item.id === used.id),
      { status: 'revoked', activeSessions: 0 },
    );
    const audit = await api.sql<{ action: string }>(
      sql`select action from audit_events where entity_type = 'review_invite' and entity_id = ${used.id} order by seq`,
    );
    t.same(
      audit.map((row) => row.action),
      ['created', 'signed_in', 'revoked'],
    );
  });

  await t.test('a session cookie replayed after sign-out is refused', async (t) => {
    const { client } = await start((await invite()).url);
    const list = await client.get('/review');
    const cookie = client.cookies.get('wedid_review') as string;
    const out = await client.post('/review/sign-out', {}, { csrf: csrfOf(list) });
    t.equal(out.statusCode, 200);
    t.match(out.body, /You have signed out/);
    t.notOk(client.cookies.has('wedid_review'), 'the cookie is cleared');
    client.cookies.set('wedid_review', cookie);
    t.equal((await client.get('/review')).statusCode, 401, 'the old cookie signs no one in');
  });

  await t.test('a form posted without its CSRF token is refused, and does nothing', async (t) => {
    const created = await invite();
    const client = new PanelClient(api);
    await client.get(pathOf(created.url));
    const missing = await client.post(pathOf(created.url), {}, { csrf: null });
    t.equal(missing.statusCode, 403);
    t.match(missing.body, /This form has expired/);
    t.match(missing.headers['content-type'], /text\/html/);
    const wrong = await client.post(pathOf(created.url), {}, { csrf: 'not-the-token' });
    t.equal(wrong.statusCode, 403);
    t.equal((await client.get(pathOf(created.url))).statusCode, 200, 'the link was not spent');

    const signedIn = (await start(created.url)).client;
    t.equal((await signedIn.post('/review/sign-out', {}, { csrf: null })).statusCode, 403, 'sign-out needs it too');
    t.equal((await signedIn.get('/review')).statusCode, 200, 'still signed in');
    // Another browser's token is no good with this browser's cookie.
    const other = new PanelClient(api);
    const otherPage = await other.get(pathOf((await invite()).url));
    t.equal((await signedIn.post('/review/sign-out', {}, { csrf: csrfOf(otherPage) })).statusCode, 403);
  });

  await t.test('idle and absolute expiry end a session; the id is replaced periodically', async (t) => {
    const idle = await start((await invite()).url);
    await api.sql(sql`update sessions set idle_expires_at = now() where subject_id in (select id from review_invites)
      and data->'principal'->>'keyId' = ${(await api.sql<{ id: string }>(sql`select subject_id as id from sessions order by created_at desc limit 1`))[0]?.id ?? ''}`);
    t.equal((await idle.client.get('/review')).statusCode, 401, 'idle too long');

    const long = await start((await invite()).url);
    const [latest] = await api.sql<{ id: string }>(
      sql`select subject_id as id from sessions order by created_at desc limit 1`,
    );
    await api.sql(sql`update sessions set created_at = now() - interval '13 hours', absolute_expires_at = now() - interval '1 hour',
      idle_expires_at = now() - interval '1 hour' where subject_id = ${latest?.id ?? ''}`);
    t.equal((await long.client.get('/review')).statusCode, 401, 'past SESSION_MAX_HOURS');

    const rotating = await start((await invite()).url);
    const before = rotating.client.cookies.get('wedid_review') as string;
    const [current] = await api.sql<{ id: string }>(
      sql`select subject_id as id from sessions order by created_at desc limit 1`,
    );
    await api.sql(
      sql`update sessions set data = jsonb_set(data, '{rotatedAt}', '0') where subject_id = ${current?.id ?? ''}`,
    );
    t.equal((await rotating.client.get('/review')).statusCode, 200);
    const after = rotating.client.cookies.get('wedid_review') as string;
    t.not(after, before, 'a new session id after SESSION_ROTATE_MINUTES');
    t.equal((await rotating.client.get('/review')).statusCode, 200, 'the new id works');
    const stale = new PanelClient(api);
    stale.cookies.set('wedid_review', before);
    t.equal((await stale.get('/review')).statusCode, 401, 'the old id does not');
  });

  await t.test('behind TLS (a trusted proxy saying https) the cookie is Secure', async (t) => {
    const created = await invite();
    const client = new PanelClient(api);
    const https = { 'x-forwarded-proto': 'https' };
    const page = await client.get(pathOf(created.url), https);
    const started = await client.post(pathOf(created.url), {}, { csrf: csrfOf(page), headers: https });
    t.equal(started.statusCode, 303);
    const cookie = [started.headers['set-cookie']].flat().find((line) => line?.startsWith('wedid_review=')) as string;
    t.match(cookie, /Secure/);
  });

  await t.test('a unit-scoped admin invites within its units only, and sees only those invites', async (t) => {
    const scoped = await api.createKey('admin', otherWard.id, 'Ash admin');
    const outside = await api.request({
      method: 'POST',
      url: '/v1/review/invites',
      key: scoped,
      payload: { unitId: site.id },
    });
    t.equal(outside.statusCode, 400, 'a unit above its scope is no such unit to it');
    const inside = await api.request({
      method: 'POST',
      url: '/v1/review/invites',
      key: scoped,
      payload: { unitId: otherWard.id },
    });
    t.equal(inside.statusCode, 201);
    const list = await api.request({ method: 'GET', url: '/v1/review/invites?limit=100', key: scoped });
    t.same(
      (list.json().items as { unitId: string }[]).map((item) => item.unitId),
      [otherWard.id],
    );
    const willow = await invite();
    t.equal(
      (await api.request({ method: 'DELETE', url: `/v1/review/invites/${willow.id}`, key: scoped })).statusCode,
      404,
      'nor revokes others',
    );
    for (const role of ['staff', 'auditor', 'reviewer']) {
      const key = await api.createKey(role, null, `${role} key`);
      const refused = await api.request({
        method: 'POST',
        url: '/v1/review/invites',
        key,
        payload: { unitId: ward.id },
      });
      t.equal(refused.statusCode, 403, `${role} may not invite`);
    }
  });

  await t.test('the request log never holds an invite link’s token', async (t) => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logged = await buildApp(testConfig({ PUBLIC_BASE_URL: publicBaseUrl, LOG_LEVEL: 'info' }), {
      database: api.database.handle,
      logger: loggerOptions('info', stream),
    });
    t.teardown(() => logged.close());
    const created = await invite();
    const token = created.url.split('/').pop() as string;
    const { started } = await start(created.url, new PanelClient(withHelpers(logged, api.database)));
    t.equal(started.statusCode, 303);
    const requests = lines.filter((line) => line.includes('"msg":"request"') && line.includes('/review/invite/'));
    t.equal(requests.length, 2, 'both the page and the Start press are logged');
    for (const line of requests) t.notMatch(line, token, 'without the token');
    t.match(requests[0], '"path":"/review/invite/:token"');
  });

  await t.test('the database keeps invites one-way and sessions on live invites only', async (t) => {
    const created = await invite();
    await start(created.url);
    t.match(
      await refusal(() => api.sql(sql`update review_invites set used_at = null where id = ${created.id}`)),
      /already used/,
    );
    t.match(
      await refusal(() =>
        api.sql(sql`update review_invites set expires_at = now() + interval '1 year' where id = ${created.id}`),
      ),
      /already used|re-pointed/,
    );
    const open = await invite();
    t.match(
      await refusal(() =>
        api.sql(sql`insert into sessions (id_hash, subject_kind, subject_id, idle_expires_at, absolute_expires_at)
        values ('x', 'review_invite', ${open.id}, now() + interval '1 hour', now() + interval '2 hours')`),
      ),
      /sessions_subject_live|not a spent/,
      'no session from an unspent invite',
    );
    await api.request({ method: 'DELETE', url: `/v1/review/invites/${created.id}` });
    t.match(
      await refusal(() => api.sql(sql`update review_invites set revoked_at = null where id = ${created.id}`)),
      /revoked/,
    );
    t.match(
      await refusal(() =>
        api.sql(sql`insert into sessions (id_hash, subject_kind, subject_id, idle_expires_at, absolute_expires_at)
        values ('y', 'review_invite', ${created.id}, now() + interval '1 hour', now() + interval '2 hours')`),
      ),
      /sessions_subject_live|not a spent/,
      'nor from a revoked one',
    );
  });
});
