import { eq } from 'drizzle-orm';
import t from 'tap';
import { auditEvents } from '../../src/db/schema/index.js';
import { buildTestApp, createTree } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';

t.test('create, read and edit an action; ETag and If-Match', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api, await api.createKey('staff'));

  const created = await l.send('POST', '/v1/actions', {
    unitId: ward.id,
    title: '  Sunday film club  ',
    plannedFor: '2027-03-01',
    owner: 'Activities coordinator',
  });
  t.equal(created.statusCode, 201);
  const action = created.json();
  t.equal(created.headers.location, `/v1/actions/${action.id}`);
  t.equal(created.headers.etag, '"v1"');
  t.match(action, {
    unitId: ward.id,
    title: 'Sunday film club',
    status: 'planned',
    plannedFor: '2027-03-01',
    owner: 'Activities coordinator',
    coproduction: { level: 'none', livedExperienceCount: 0 },
    feedbackIds: [],
    outcome: null,
    completedAt: null,
    version: 1,
  });

  const read = await l.send('GET', `/v1/actions/${action.id}`);
  t.equal(read.statusCode, 200);
  t.equal(read.headers.etag, '"v1"');

  const edited = await l.send(
    'PATCH',
    `/v1/actions/${action.id}`,
    { status: 'in_progress', coproduction: { level: 'co_producing', livedExperienceCount: 4 } },
    { 'if-match': '"v1"' },
  );
  t.equal(edited.statusCode, 200);
  t.equal(edited.json().status, 'in_progress');
  t.same(edited.json().coproduction, { level: 'co_producing', livedExperienceCount: 4 });
  t.equal(edited.headers.etag, '"v2"');

  const stale = await l.send('PATCH', `/v1/actions/${action.id}`, { title: 'Late' }, { 'if-match': '"v1"' });
  t.equal(stale.statusCode, 412);
  t.equal(stale.json().type, 'urn:wedid:problem:precondition-failed');
  t.equal((await l.send('GET', `/v1/actions/${action.id}`)).json().title, 'Sunday film club', 'nothing changed');

  const back = await l.send(
    'PATCH',
    `/v1/actions/${action.id}`,
    { status: 'planned', description: null },
    { 'if-match': '"v2"' },
  );
  t.equal(back.statusCode, 200, 'in_progress can go back to planned');

  const readOnly = await l.send('PATCH', `/v1/actions/${action.id}`, { unitId: ward.id, outcome: 'x' });
  t.equal(readOnly.statusCode, 400);
  t.same(
    readOnly
      .json()
      .errors.map((e: { path: string }) => e.path)
      .sort(),
    ['/outcome', '/unitId'],
  );
  const finish = await l.send('PATCH', `/v1/actions/${action.id}`, { status: 'completed' });
  t.equal(finish.statusCode, 400, 'completion goes through /complete, with an outcome');

  const flattering = await l.send('PATCH', `/v1/actions/${action.id}`, {
    coproduction: { level: 'co_producing', livedExperienceCount: 0 },
  });
  t.equal(flattering.statusCode, 400, 'co-producing with nobody is refused');

  const noOutcome = await l.send('POST', `/v1/actions/${action.id}/complete`, {});
  t.equal(noOutcome.statusCode, 400, 'an outcome is required');
  const blankOutcome = await l.send('POST', `/v1/actions/${action.id}/complete`, { outcome: '  ' });
  t.equal(blankOutcome.statusCode, 400);
  const noReason = await l.send('POST', `/v1/actions/${action.id}/cancel`, {});
  t.equal(noReason.statusCode, 400, 'a reason is required to cancel');

  const staleComplete = await l.send(
    'POST',
    `/v1/actions/${action.id}/complete`,
    { outcome: 'We did it' },
    { 'if-match': '"v1"' },
  );
  t.equal(staleComplete.statusCode, 412, 'If-Match is honoured on complete too');
  t.equal((await l.complete(action.id)).statusCode, 200);
  const frozen = await l.send('PATCH', `/v1/actions/${action.id}`, { title: 'Changed' }, { 'if-match': '*' });
  t.equal(frozen.statusCode, 409, 'a completed action is a record');
  t.match(frozen.json().detail, /completed action is a closed record/);

  t.equal((await l.send('GET', '/v1/actions/00000000-0000-4000-8000-000000000000')).statusCode, 404);
  const badUnit = await l.send('POST', '/v1/actions', { unitId: '00000000-0000-4000-8000-000000000000', title: 'x' });
  t.equal(badUnit.statusCode, 400);
  const completedAtCreate = await l.send('POST', '/v1/actions', { unitId: ward.id, title: 'x', status: 'completed' });
  t.equal(completedAtCreate.statusCode, 400, 'an action starts planned or in progress');

  const events = await api.app.db.select().from(auditEvents).where(eq(auditEvents.entityId, action.id));
  t.same(
    events.map((event) => event.action),
    ['created', 'updated', 'updated', 'completed'],
  );
  t.same(events[1]?.details, { fields: ['coproduction', 'status'], from: 'planned', to: 'in_progress' });
});

t.test(
  'PATCH of an action requires If-Match (428 without it); an edit that changes nothing writes nothing',
  async (t) => {
    const api = await buildTestApp(t);
    const { ward } = await createTree(api);
    const l = loop(api, await api.createKey('staff'));
    const action = await l.action({ unitId: ward.id, owner: 'Activities coordinator' });

    const blind = await l.send('PATCH', `/v1/actions/${action.id}`, { title: 'Film club on Sundays' });
    t.equal(blind.statusCode, 428, 'an edit without If-Match could overwrite a colleague’s edit');
    t.equal(blind.json().type, 'urn:wedid:problem:precondition-required');
    t.match(blind.json().detail, /If-Match/);
    t.equal((await l.send('GET', `/v1/actions/${action.id}`)).json().title, 'Sunday film club', 'nothing changed');

    const overwrite = await l.send('PATCH', `/v1/actions/${action.id}`, { title: 'Film club' }, { 'if-match': '*' });
    t.equal(overwrite.statusCode, 200, '`If-Match: *` is the deliberate overwrite');
    t.equal(overwrite.headers.etag, '"v2"');

    const same = await l.send(
      'PATCH',
      `/v1/actions/${action.id}`,
      { title: 'Film club', owner: 'Activities coordinator', coproduction: { level: 'none', livedExperienceCount: 0 } },
      { 'if-match': '"v2"' },
    );
    t.equal(same.statusCode, 200);
    t.equal(same.headers.etag, '"v2"', 'no new version');
    t.equal(same.json().version, 2);
    const events = await api.request({ method: 'GET', url: '/v1/events?limit=500' });
    t.same(
      events
        .json()
        .events.filter((e: { type: string; data: { id: string } }) => e.data.id === action.id)
        .map((e: { type: string }) => e.type),
      ['action.created', 'action.updated'],
      'no action.updated event for the edit that changed nothing',
    );
    const audit = await api.app.db.select().from(auditEvents).where(eq(auditEvents.entityId, action.id));
    t.same(
      audit.map((event) => event.action),
      ['created', 'updated'],
      'no audit entry for it either',
    );

    const transitions = await l.send('POST', `/v1/actions/${action.id}/complete`, { outcome: 'We started it' });
    t.equal(transitions.statusCode, 200, 'state transitions keep If-Match optional');
  },
);

t.test('list actions: filters, scoped keys and cursor pages', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard, site } = await createTree(api);
  const l = loop(api);
  const item = await l.feedback(ward.id);
  const willow = [];
  for (let i = 0; i < 5; i++) willow.push(await l.action({ unitId: ward.id, title: `Willow ${i}` }));
  const ash = await l.action({ unitId: otherWard.id, title: 'Ash' });
  const siteWide = await l.action({ unitId: site.id, title: 'Site', feedbackIds: [item.id] });
  await l.cancel(willow[0]!.id);

  const all = await l.send('GET', '/v1/actions?limit=200');
  t.equal(all.json().items.length, 7);
  t.equal(all.json().nextCursor, null);
  t.equal(all.json().items[0].id, siteWide.id, 'newest first');

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await l.send('GET', `/v1/actions?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    t.equal(page.statusCode, 200);
    seen.push(...page.json().items.map((a: { id: string }) => a.id));
    cursor = page.json().nextCursor;
  } while (cursor);
  t.same(
    seen,
    all.json().items.map((a: { id: string }) => a.id),
    'pages walk the same order without gaps or repeats',
  );

  const inWard = await l.send('GET', `/v1/actions?unitId=${ward.id}`);
  t.equal(inWard.json().items.length, 5);
  const inSite = await l.send('GET', `/v1/actions?unitId=${site.id}`);
  t.equal(inSite.json().items.length, 7, 'unitId covers the subtree');
  const cancelled = await l.send('GET', '/v1/actions?status=cancelled');
  t.same(
    cancelled.json().items.map((a: { id: string }) => a.id),
    [willow[0]!.id],
  );
  const forItem = await l.send('GET', `/v1/actions?feedbackId=${item.id}`);
  t.same(
    forItem.json().items.map((a: { id: string }) => a.id),
    [siteWide.id],
  );

  const ashKey = loop(api, await api.createKey('auditor', otherWard.id));
  const scoped = await ashKey.send('GET', '/v1/actions');
  t.same(
    scoped.json().items.map((a: { id: string }) => a.id),
    [ash.id],
    'a scoped key sees its units only',
  );
  t.equal((await l.send('GET', '/v1/actions?cursor=nonsense')).statusCode, 400);
});
