import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { mergeCookies } from '../helpers/console.js';

t.test('without an identity provider, an admin invites a person by a one-time link', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const created = await api.request({
    method: 'POST',
    url: '/v1/people',
    payload: { email: 'ward.manager@willow.nhs.uk', role: 'staff', unitId: ward.id },
  });
  const person = created.json() as { id: string };
  const invited = await api.request({ method: 'POST', url: `/v1/people/${person.id}/invites` });
  t.equal(invited.statusCode, 201, invited.body);
  t.equal(invited.headers['cache-control'], 'no-store');
  const invite = invited.json() as { url: string; expiresAt: string };
  t.match(invite.url, /^http:\/\/127\.0\.0\.1:3000\/console\/invite\/[A-Za-z0-9_-]{43}$/);
  const path = new URL(invite.url).pathname;
  const [stored] = await api.sql<{ token_hash: string }>(sql`select token_hash from person_invites`);
  t.notOk(invite.url.includes(stored?.token_hash as string), 'only a hash of the token is stored');

  const page = await api.app.inject({ method: 'GET', url: path });
  t.equal(page.statusCode, 200);
  t.match(page.body, /Sign in with your invite/);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
  let cookie = mergeCookies('', page.headers['set-cookie']);
  const form = (token: string) => ({
    method: 'POST' as const,
    url: path,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${encodeURIComponent(token)}`,
  });

  t.equal((await api.app.inject(form('not-the-token'))).statusCode, 403, 'Start without its form token does nothing');
  t.equal((await api.app.inject({ method: 'GET', url: path })).statusCode, 200, 'and the link still works');

  const started = await api.app.inject(form(csrf));
  t.equal(started.statusCode, 303);
  t.equal(started.headers.location, '/console');
  cookie = mergeCookies(cookie, started.headers['set-cookie']);
  const landing = await api.app.inject({ method: 'GET', url: '/console', headers: { cookie } });
  t.equal(landing.statusCode, 200);
  t.match(landing.body, /ward\.manager@willow\.nhs\.uk/);
  t.match(landing.body, /Willow Ward and everything in it/);

  const again = await api.app.inject(form(csrf));
  t.equal(again.statusCode, 410, 'a link signs someone in once');
  t.match(again.body, /This link was used already/);
  t.equal((await api.app.inject({ method: 'GET', url: path })).statusCode, 410);
  t.equal((await api.app.inject({ method: 'GET', url: '/console/invite/nope' })).statusCode, 404);

  await t.test('an expired link signs no one in', async (t) => {
    const second = (await api.request({ method: 'POST', url: `/v1/people/${person.id}/invites` })).json();
    await api.sql(
      sql`update person_invites set created_at = now() - interval '4 days', expires_at = now() - interval '1 day' where id = ${second.id}`,
    );
    const expired = await api.app.inject({ method: 'GET', url: new URL(second.url).pathname });
    t.equal(expired.statusCode, 410);
    t.match(expired.body, /This link has expired/);
  });

  await t.test('group rows cannot be invited; a scoped admin invites only within its units', async (t) => {
    const group = (
      await api.request({ method: 'POST', url: '/v1/people', payload: { group: 'g', role: 'staff' } })
    ).json();
    t.equal((await api.request({ method: 'POST', url: `/v1/people/${group.id}/invites` })).statusCode, 409);
    const ashAdmin = await api.createKey('admin', otherWard.id);
    const outside = await api.request({ method: 'POST', url: `/v1/people/${person.id}/invites`, key: ashAdmin });
    t.equal(outside.statusCode, 404);
  });

  await t.test('removing the person ends the invite session and the links go with the row', async (t) => {
    t.equal((await api.request({ method: 'DELETE', url: `/v1/people/${person.id}` })).statusCode, 204);
    t.equal((await api.app.inject({ method: 'GET', url: '/console', headers: { cookie } })).statusCode, 401);
    const [left] = await api.sql<{ n: number }>(sql`select count(*)::int as n from person_invites`);
    t.equal(left?.n, 0);
    const trail = await api.request({ method: 'GET', url: `/v1/audit?entityType=person&entityId=${person.id}` });
    t.same(
      trail.json().items.map((event: { action: string }) => event.action),
      ['removed', 'invited', 'signed_in', 'invited', 'created'],
    );
  });
});
