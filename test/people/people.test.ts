import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';

t.test('people: map an email or a group to a role and a scope', async (t) => {
  const api = await buildTestApp(t);
  const { site, ward, otherWard } = await createTree(api);

  const created = await api.request({
    method: 'POST',
    url: '/v1/people',
    payload: { email: '  Sam.Okafor@Willow.NHS.uk ', role: 'staff', unitId: ward.id },
  });
  t.equal(created.statusCode, 201, created.body);
  const sam = created.json();
  t.equal(created.headers.location, `/v1/people/${sam.id}`);
  t.match(sam, { email: 'sam.okafor@willow.nhs.uk', group: null, role: 'staff', unitId: ward.id });

  const group = await api.request({
    method: 'POST',
    url: '/v1/people',
    payload: { group: '6f1c2a9e-0000-4000-8000-00000000a11d', role: 'auditor' },
  });
  t.equal(group.statusCode, 201, group.body);
  t.match(group.json(), { email: null, group: '6f1c2a9e-0000-4000-8000-00000000a11d', unitId: null });

  await t.test('emails are compared without regard to case: a second row is a 409 naming the first', async (t) => {
    const again = await api.request({
      method: 'POST',
      url: '/v1/people',
      payload: { email: 'SAM.OKAFOR@willow.nhs.uk', role: 'admin' },
    });
    t.equal(again.statusCode, 409);
    t.match(again.json(), { type: 'urn:wedid:problem:conflict', existingId: sam.id });
  });

  await t.test('bad input is a 400 naming the field, and nothing is written', async (t) => {
    const cases: [Record<string, unknown>, string][] = [
      [{ role: 'staff' }, '/email'],
      [{ email: 'a@b.uk', group: 'g', role: 'staff' }, '/email'],
      [{ email: 'not an address', role: 'staff' }, '/email'],
      [{ email: 'a@b.uk', role: 'intake' }, '/role'],
      [{ email: 'a@b.uk', role: 'staff', unitId: 'nope' }, '/unitId'],
      [{ email: 'a@b.uk', role: 'staff', unitId: '00000000-0000-4000-8000-000000000000' }, '/unitId'],
      [{ email: 'a@b.uk', role: 'staff', name: 'extra' }, ''],
    ];
    for (const [payload, path] of cases) {
      const response = await api.request({ method: 'POST', url: '/v1/people', payload });
      t.equal(response.statusCode, 400, JSON.stringify(payload));
      if (path) t.ok(JSON.stringify(response.json().errors).includes(path), `${JSON.stringify(payload)} names ${path}`);
    }
    const [count] = await api.sql<{ n: number }>(sql`select count(*)::int as n from people`);
    t.equal(count?.n, 2);
  });

  await t.test('a unit-scoped admin grants only inside its unit, never trust-wide', async (t) => {
    const siteAdmin = await api.createKey('admin', site.id);
    const wardAdmin = await api.createKey('admin', otherWard.id);
    const inside = await api.request({
      method: 'POST',
      url: '/v1/people',
      key: siteAdmin,
      payload: { email: 'ward.manager@willow.nhs.uk', role: 'admin', unitId: ward.id },
    });
    t.equal(inside.statusCode, 201, inside.body);
    const unscoped = await api.request({
      method: 'POST',
      url: '/v1/people',
      key: siteAdmin,
      payload: { email: 'boss@willow.nhs.uk', role: 'staff' },
    });
    t.equal(unscoped.statusCode, 403);
    const outside = await api.request({
      method: 'POST',
      url: '/v1/people',
      key: wardAdmin,
      payload: { email: 'someone@willow.nhs.uk', role: 'staff', unitId: ward.id },
    });
    t.equal(outside.statusCode, 400, 'a unit outside its scope is no such unit');

    const seen = await api.request({ method: 'GET', url: '/v1/people', key: wardAdmin });
    t.same(seen.json().items, [], 'the Ash admin sees no one of Willow');
    const widen = await api.request({
      method: 'PATCH',
      url: `/v1/people/${inside.json().id}`,
      key: siteAdmin,
      payload: { unitId: null },
    });
    t.equal(widen.statusCode, 403, 'nor may it widen a row to the whole trust');
    const foreign = await api.request({ method: 'DELETE', url: `/v1/people/${sam.id}`, key: wardAdmin });
    t.equal(foreign.statusCode, 404);
    const staffKey = await api.createKey('staff');
    const byStaff = await api.request({ method: 'GET', url: '/v1/people', key: staffKey });
    t.equal(byStaff.statusCode, 403, 'people are for admins only');
  });

  await t.test('patch: a merge, still exactly one of email or group; audited', async (t) => {
    const both = await api.request({
      method: 'PATCH',
      url: `/v1/people/${sam.id}`,
      payload: { group: 'ward-staff' },
    });
    t.equal(both.statusCode, 400, 'a group beside the email is refused');
    const switched = await api.request({
      method: 'PATCH',
      url: `/v1/people/${sam.id}`,
      payload: { group: 'ward-staff', email: null, role: 'admin' },
    });
    t.equal(switched.statusCode, 200, switched.body);
    t.match(switched.json(), { email: null, group: 'ward-staff', role: 'admin', unitId: ward.id });
    const empty = await api.request({ method: 'PATCH', url: `/v1/people/${sam.id}`, payload: {} });
    t.equal(empty.statusCode, 400);
    const missing = await api.request({
      method: 'PATCH',
      url: '/v1/people/00000000-0000-4000-8000-000000000000',
      payload: { role: 'staff' },
    });
    t.equal(missing.statusCode, 404);
    const trail = await api.request({ method: 'GET', url: `/v1/audit?entityType=person&entityId=${sam.id}` });
    t.same(
      trail.json().items.map((event: { action: string }) => event.action),
      ['updated', 'created'],
      'newest first',
    );
  });

  await t.test('delete: gone, audited, a second delete is a 404', async (t) => {
    const removed = await api.request({ method: 'DELETE', url: `/v1/people/${sam.id}` });
    t.equal(removed.statusCode, 204);
    const again = await api.request({ method: 'DELETE', url: `/v1/people/${sam.id}` });
    t.equal(again.statusCode, 404);
    const list = await api.request({ method: 'GET', url: '/v1/people' });
    t.notOk(list.json().items.some((person: { id: string }) => person.id === sam.id));
  });
});

t.test('people: the database refuses rows that break the rules', async (t) => {
  const api = await buildTestApp(t);
  const refused = async (statement: ReturnType<typeof sql>, constraint: string) => {
    const error = await api.sql(statement).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    const cause = (error as { cause?: { constraint?: string } } | undefined)?.cause;
    t.equal(cause?.constraint ?? String(cause ?? error), constraint, `refused by ${constraint}`);
  };
  await refused(sql`insert into people (role) values ('staff')`, 'people_one_match_check');
  await refused(
    sql`insert into people (email, idp_group, role) values ('a@b.uk', 'g', 'staff')`,
    'people_one_match_check',
  );
  await refused(sql`insert into people (email, role) values ('A@b.uk', 'staff')`, 'people_email_check');
  await refused(sql`insert into people (email, role) values ('a@b.uk', 'intake')`, 'people_role_check');
  await refused(sql`insert into people (idp_group, role) values (' g', 'staff')`, 'people_group_check');
  await api.sql(sql`insert into people (email, role) values ('a@b.uk', 'staff')`);
  await refused(sql`insert into people (email, role) values ('a@b.uk', 'admin')`, 'people_email_unique');

  const session = (idHash: string, personId: string) =>
    sql`insert into sessions (id_hash, subject_kind, subject_id, idle_expires_at, absolute_expires_at)
        values (${idHash}, 'person', ${personId}, now() + interval '30 minutes', now() + interval '12 hours')`;
  await refused(session('s0', '00000000-0000-4000-8000-000000000000'), 'sessions_subject_live');
  const [person] = await api.sql<{ id: string }>(sql`select id from people where email = 'a@b.uk'`);
  const id = person?.id as string;
  const live = async () =>
    (await api.sql<{ n: number }>(sql`select count(*)::int as n from sessions where subject_id = ${id}`))[0]?.n;
  await api.sql(session('s1', id));
  await api.sql(sql`update people set updated_at = now() where id = ${id}`);
  t.equal(await live(), 1, 'touching a row without changing what it grants keeps its sessions');
  await api.sql(sql`update people set role = 'auditor' where id = ${id}`);
  t.equal(await live(), 0, 'changing the role by hand ends the sessions too');
  await api.sql(session('s2', id));
  await api.sql(sql`delete from people where id = ${id}`);
  t.equal(await live(), 0, 'removing the row by hand ends its sessions');
});
