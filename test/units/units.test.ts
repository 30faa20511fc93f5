import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';

t.test('units form a trust > site > ward tree with inherited response targets', async (t) => {
  const api = await buildTestApp(t);
  const trust = await api.createUnit({ type: 'trust', code: 'RXX', name: 'Trust', responseTargetDays: 20 });
  const site = await api.createUnit({ type: 'site', code: 'RXX-S1', name: 'Site', parentId: trust.id });
  const ward = await api.createUnit({ type: 'ward', code: 'RXX-W1', name: 'Willow', parentId: site.id });
  t.equal(ward.responseTargetDays, 20, 'a ward inherits the trust target');
  t.equal(ward.responseTargetInherited, true);

  const patched = await api.request({
    method: 'PATCH',
    url: `/v1/units/${site.id}`,
    payload: { responseTargetDays: 10 },
  });
  t.equal(patched.statusCode, 200);
  const reread = await api.request({ method: 'GET', url: `/v1/units/${ward.id}` });
  t.equal(reread.json().responseTargetDays, 10, 'the nearest ancestor that sets a target wins');

  const unset = await api.request({
    method: 'PATCH',
    url: `/v1/units/${site.id}`,
    payload: { responseTargetDays: null },
  });
  t.equal(unset.json().responseTargetDays, 20);

  const dup = await api.request({
    method: 'POST',
    url: '/v1/units',
    payload: { type: 'trust', code: 'RXX', name: 'Again' },
  });
  t.equal(dup.statusCode, 409);
  t.match(dup.headers['content-type'], /^application\/problem\+json/);
  t.equal(dup.json().type, 'urn:wedid:problem:conflict');

  const orphanWard = await api.request({
    method: 'POST',
    url: '/v1/units',
    payload: { type: 'ward', code: 'X1', name: 'X' },
  });
  t.equal(orphanWard.statusCode, 400);
  t.equal(orphanWard.json().errors[0].path, '/parentId');

  const siteUnderWard = await api.request({
    method: 'POST',
    url: '/v1/units',
    payload: { type: 'site', code: 'X2', name: 'X', parentId: ward.id },
  });
  t.equal(siteUnderWard.statusCode, 400, 'a site cannot sit under a ward');

  const trustWithParent = await api.request({
    method: 'POST',
    url: '/v1/units',
    payload: { type: 'trust', code: 'X3', name: 'X', parentId: trust.id },
  });
  t.equal(trustWithParent.statusCode, 400, 'a trust has no parent');

  const readOnly = await api.request({ method: 'PATCH', url: `/v1/units/${ward.id}`, payload: { code: 'NEW' } });
  t.equal(readOnly.statusCode, 400);
  t.same(readOnly.json().errors, [{ in: 'body', path: '/code', message: 'Unknown or read-only field "code"' }]);
});

t.test('moving a unit moves its subtree, and cycles are refused', async (t) => {
  const api = await buildTestApp(t);
  const { trust, site, ward } = await createTree(api);
  const site2 = await api.createUnit({ type: 'site', code: 'T-SITE2', name: 'Hilltop', parentId: trust.id });
  const team = await api.createUnit({ type: 'service', code: 'T-SVC', name: 'Community', parentId: site.id });
  const sub = await api.createUnit({ type: 'team', code: 'T-TEAM', name: 'Crisis team', parentId: team.id });

  const moved = await api.request({ method: 'PATCH', url: `/v1/units/${team.id}`, payload: { parentId: site2.id } });
  t.equal(moved.statusCode, 200);
  const within = await api.request({ method: 'GET', url: `/v1/units?within=${site2.id}` });
  t.same(
    within.json().items.map((u: { code: string }) => u.code),
    ['T-SITE2', 'T-SVC', 'T-TEAM'],
    'the moved unit and its child now sit in the new subtree',
  );
  const oldSubtree = await api.request({ method: 'GET', url: `/v1/units?within=${site.id}` });
  t.notOk(
    oldSubtree.json().items.some((u: { id: string }) => u.id === sub.id),
    'and no longer in the old one',
  );

  const teamUnderItsChild = await api.request({
    method: 'PATCH',
    url: `/v1/units/${team.id}`,
    payload: { parentId: team.id },
  });
  t.equal(teamUnderItsChild.statusCode, 400);
  t.ok(ward);
});

t.test(
  'a move that would leave a live action answering feedback of another site is refused, naming the links',
  async (t) => {
    const api = await buildTestApp(t);
    const { trust, site, ward } = await createTree(api);
    const site2 = await api.createUnit({ type: 'site', code: 'T-HILL', name: 'Hilltop', parentId: trust.id });
    const l = loop(api);
    const food = await l.feedback(ward.id);
    const noise = await l.feedback(ward.id);
    const done = await l.feedback(ward.id);
    const siteWide = await l.action({ unitId: site.id, title: 'Hot food across the site', feedbackIds: [food.id] });
    const wardOwn = await l.action({ unitId: ward.id, title: 'Quiet hours', feedbackIds: [noise.id] });
    const finished = await l.action({ unitId: site.id, title: 'New menus', feedbackIds: [done.id] });
    t.equal((await l.complete(finished.id)).statusCode, 200);

    const move = () => api.request({ method: 'PATCH', url: `/v1/units/${ward.id}`, payload: { parentId: site2.id } });
    const refused = await move();
    t.equal(refused.statusCode, 409);
    t.equal(refused.json().type, 'urn:wedid:problem:conflict');
    t.match(refused.json().detail, `feedback ${food.id} on action ${siteWide.id}`, 'the problem names the link');
    t.notOk(refused.json().detail.includes(noise.id), 'the ward’s own action moves with it');
    t.notOk(refused.json().detail.includes(done.id), 'a completed action’s links are its record');
    const unit = await api.request({ method: 'GET', url: `/v1/units/${ward.id}` });
    t.equal(unit.json().parentId, site.id, 'the ward did not move');

    t.equal((await l.unlink(siteWide.id, food.id)).statusCode, 200);
    const moved = await move();
    t.equal(moved.statusCode, 200, 'once unlinked, the ward moves');
    t.equal(moved.json().parentId, site2.id);
    t.equal(await l.status(done.id), 'actioned', 'the finished action’s answer stands');
    t.equal((await l.complete(wardOwn.id)).statusCode, 200, 'and its own action still completes');
    t.equal(await l.status(food.id), 'in_review', 'the unlinked item waits for Hilltop’s answer');
  },
);

t.test('completing an action refuses items whose unit moved out of its subtree before the rule existed', async (t) => {
  const api = await buildTestApp(t);
  const { trust, site, ward } = await createTree(api);
  const site2 = await api.createUnit({ type: 'site', code: 'T-HILL', name: 'Hilltop', parentId: trust.id });
  const l = loop(api);
  const moved = await l.feedback(ward.id);
  const action = await l.action({ unitId: site.id, feedbackIds: [moved.id] });
  // A move made before migration 0013, when the database did not yet keep links in their subtree.
  const db = api.app.db;
  await db.execute(sql`alter table units disable trigger units_action_links_within_subtree`);
  await db.execute(
    sql`update units set path = array[${trust.id}, ${site2.id}, ${ward.id}]::uuid[], parent_id = ${site2.id} where id = ${ward.id}`,
  );
  await db.execute(sql`alter table units enable trigger units_action_links_within_subtree`);

  const complete = await l.complete(action.id);
  t.equal(complete.statusCode, 409, 'it would tell Hilltop’s patient "we did" for Riverside’s work');
  t.equal(complete.json().type, 'urn:wedid:problem:illegal-transition');
  t.match(complete.json().detail, moved.id, 'naming the item');
  t.match(complete.json().detail, /unlink it/);
  t.equal(await l.status(moved.id), 'planned', 'nothing closed');
  t.equal((await l.unlink(action.id, moved.id)).statusCode, 200, 'unlinking a live action’s item is always possible');
  t.equal((await l.complete(action.id)).statusCode, 200);
  t.equal(await l.status(moved.id), 'in_review');
});

t.test('a scoped key sees its unit and descendants only; pages are cursor-linked', async (t) => {
  const api = await buildTestApp(t);
  const { trust, site, ward, otherWard } = await createTree(api);
  const scoped = await api.createKey('staff', site.id);

  const list = await api.request({ method: 'GET', url: '/v1/units', key: scoped });
  t.same(
    list
      .json()
      .items.map((u: { id: string }) => u.id)
      .sort(),
    [site.id, ward.id, otherWard.id].sort(),
  );
  const hidden = await api.request({ method: 'GET', url: `/v1/units/${trust.id}`, key: scoped });
  t.equal(hidden.statusCode, 404, 'a unit outside the scope is not found');

  const page1 = await api.request({ method: 'GET', url: '/v1/units?limit=3' });
  t.equal(page1.json().items.length, 3);
  t.type(page1.json().nextCursor, 'string');
  const page2 = await api.request({ method: 'GET', url: `/v1/units?limit=3&cursor=${page1.json().nextCursor}` });
  t.equal(page2.json().items.length, 1);
  t.equal(page2.json().nextCursor, null);

  const badCursor = await api.request({ method: 'GET', url: '/v1/units?cursor=nonsense' });
  t.equal(badCursor.statusCode, 400);

  const forbidden = await api.request({
    method: 'POST',
    url: '/v1/units',
    key: scoped,
    payload: { type: 'ward', code: 'Z', name: 'Z', parentId: site.id },
  });
  t.equal(forbidden.statusCode, 403, 'only admin creates units');
});

t.test('defaults, board settings, unknown units and who may change them', async (t) => {
  const api = await buildTestApp(t);
  const { trust, ward } = await createTree(api);
  t.equal(trust.responseTargetDays, 28, 'with no target anywhere on the path, 28 days');
  t.equal(ward.responseTargetDays, 28);
  t.equal(ward.boardEnabled, true, 'boards are on unless turned off');

  const off = await api.request({ method: 'PATCH', url: `/v1/units/${ward.id}`, payload: { boardEnabled: false } });
  t.equal(off.statusCode, 200);
  t.equal(off.json().boardEnabled, false);
  t.equal((await api.request({ method: 'GET', url: `/v1/units/${ward.id}` })).json().boardEnabled, false);

  const own = await api.createUnit({
    type: 'ward',
    code: 'T-OWN',
    name: 'Own target',
    parentId: ward.parentId,
    responseTargetDays: 14,
  });
  t.equal(own.responseTargetDays, 14);
  t.equal(own.responseTargetInherited, false);

  const missing = await api.request({ method: 'GET', url: '/v1/units/00000000-0000-4000-8000-000000000000' });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().type, 'urn:wedid:problem:not-found');

  const staff = await api.createKey('staff');
  const patch = await api.request({ method: 'PATCH', url: `/v1/units/${ward.id}`, key: staff, payload: { name: 'X' } });
  t.equal(patch.statusCode, 403, 'only admin changes units');
  const read = await api.request({ method: 'GET', url: `/v1/units/${ward.id}`, key: staff });
  t.equal(read.statusCode, 200, 'every role may read them');

  const badTarget = await api.request({
    method: 'PATCH',
    url: `/v1/units/${ward.id}`,
    payload: { responseTargetDays: 0 },
  });
  t.equal(badTarget.statusCode, 400);
  t.equal(badTarget.json().errors[0].path, '/responseTargetDays');
});

t.test('a site-scoped admin cannot create or move units outside its site', async (t) => {
  const api = await buildTestApp(t);
  const { trust, site, ward } = await createTree(api, 'SC');
  const otherTrust = await api.createUnit({ type: 'trust', code: 'SC2-TRUST', name: 'Other trust' });
  const otherSite = await api.createUnit({ type: 'site', code: 'SC-NORTH', name: 'Northgate', parentId: trust.id });
  const siteAdmin = await api.createKey('admin', site.id, 'Site admin');
  const as = (method: 'POST' | 'PATCH', url: string, payload: Record<string, unknown>) =>
    api.request({ method, url, key: siteAdmin, payload });

  const trustLevel = await as('POST', '/v1/units', { type: 'trust', code: 'SC-NEW', name: 'New trust' });
  t.equal(trustLevel.statusCode, 403, 'no new trust');
  const siteUnderTrust = await as('POST', '/v1/units', { type: 'site', code: 'SC-S2', name: 'S', parentId: trust.id });
  t.equal(siteUnderTrust.statusCode, 400, 'no new site beside its own');
  t.equal(siteUnderTrust.json().errors[0].path, '/parentId');
  const wardElsewhere = await as('POST', '/v1/units', {
    type: 'ward',
    code: 'SC-W2',
    name: 'W',
    parentId: otherSite.id,
  });
  t.equal(wardElsewhere.statusCode, 400, 'no new ward on another site');
  const wardInside = await as('POST', '/v1/units', { type: 'ward', code: 'SC-W3', name: 'W', parentId: site.id });
  t.equal(wardInside.statusCode, 201, 'a ward on its own site is fine');

  const moveWardOut = await as('PATCH', `/v1/units/${ward.id}`, { parentId: otherSite.id });
  t.equal(moveWardOut.statusCode, 400, 'a ward cannot be moved to another site');
  const moveWardUp = await as('PATCH', `/v1/units/${ward.id}`, { parentId: trust.id });
  t.equal(moveWardUp.statusCode, 400, 'nor up to the trust, out of the scope');
  const moveSite = await as('PATCH', `/v1/units/${site.id}`, { parentId: otherTrust.id });
  t.equal(moveSite.statusCode, 400, 'its own site cannot be moved to another trust');
  const renameOther = await as('PATCH', `/v1/units/${otherSite.id}`, { name: 'Mine now' });
  t.equal(renameOther.statusCode, 404, 'a unit outside the scope is not found');
  const reread = await api.request({ method: 'GET', url: `/v1/units/${ward.id}` });
  t.equal(reread.json().parentId, site.id, 'nothing moved');
});
