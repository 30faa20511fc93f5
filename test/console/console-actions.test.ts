import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { consoleSession, csrfOf } from '../helpers/console.js';
import { recordFeedback } from '../helpers/fixtures.js';

const versionIn = (body: string) => /name="version" value="(\d+)"/.exec(body)?.[1] as string;

t.test('the actions pages: scope, create, edit, progress, done, cancel, conflicts and roles', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const item = await recordFeedback(api, ward.id, { text: 'The day room television has been broken for weeks' });
  await api.request({
    method: 'PATCH',
    url: `/v1/feedback/${item.id}`,
    headers: { 'if-match': `"v${item.version}"` },
    payload: { youSaid: 'The day room television is broken', publishConsent: true },
  });
  const elsewhere = (
    await api.request({ method: 'POST', url: '/v1/actions', payload: { unitId: otherWard.id, title: 'Ash ward rota' } })
  ).json();
  const staff = await consoleSession(api, 'willow@trust.nhs.uk', 'staff', ward.id);
  const auditor = await consoleSession(api, 'audit@trust.nhs.uk', 'auditor', ward.id);

  const landing = await staff.get('/console');
  t.match(landing.body, /<a href="\/console\/actions">/, 'the landing page links the actions');
  const list = await staff.get('/console/actions');
  t.equal(list.statusCode, 200);
  t.equal(list.headers['cache-control'], 'no-store');
  const csrf = csrfOf(list.body);
  t.notMatch(list.body, /Ash ward rota/, 'another unit’s action is not listed');
  t.match(list.body, /href="\/console\/actions\/new">Create an action/);
  const outside = await staff.get(`/console/actions/${elsewhere.id}`);
  t.equal(outside.statusCode, 404, 'another unit’s action is not found, as in the API');
  t.notMatch(outside.body, /Ash ward rota/);

  let actionId = '';
  await t.test('create: a bad form keeps the values and names the field, then it is created', async (t) => {
    const form = await staff.get('/console/actions/new');
    t.equal(form.statusCode, 200);
    t.match(form.body, new RegExp(`<option value="${ward.id}" selected>Willow Ward</option>`), 'their one unit');
    const bad = await staff.post('/console/actions', {
      _csrf: csrf,
      unitId: ward.id,
      title: 'Mend the day room television',
      plannedFor: 'next week',
      coproductionLevel: 'consulting',
      livedExperienceCount: '0',
    });
    t.equal(bad.statusCode, 400);
    t.match(bad.body, /There is a problem/);
    t.match(bad.body, /<a href="#plannedFor">Write the date as year-month-day/);
    t.match(bad.body, /<a href="#livedExperienceCount">Write how many people/);
    t.match(bad.body, /aria-describedby="plannedFor-hint plannedFor-error"/);
    t.match(bad.body, /value="Mend the day room television"/, 'what they wrote is kept');
    t.match(bad.body, /value="next week"/);
    t.match(bad.body, /<option value="consulting" selected>/);
    const noToken = await staff.post('/console/actions', { unitId: ward.id, title: 'Mend it' });
    t.equal(noToken.statusCode, 403, 'a form without its token is refused');
    const created = await staff.post('/console/actions', {
      _csrf: csrf,
      unitId: ward.id,
      title: 'Mend the day room television',
      description: 'We will ask estates to replace it',
      plannedFor: '2027-01-31',
      owner: 'Ward manager',
      coproductionLevel: 'consulting',
      livedExperienceCount: '2',
    });
    t.equal(created.statusCode, 303, created.body);
    const location = String(created.headers.location);
    t.match(location, /^\/console\/actions\/[0-9a-f-]{36}\?done=created$/);
    actionId = location.split('/')[3]!.split('?')[0]!;
    const stored = (await api.request({ method: 'GET', url: `/v1/actions/${actionId}` })).json();
    t.match(stored, {
      unitId: ward.id,
      title: 'Mend the day room television',
      description: 'We will ask estates to replace it',
      plannedFor: '2027-01-31',
      owner: 'Ward manager',
      coproduction: { level: 'consulting', livedExperienceCount: 2 },
      status: 'planned',
    });
    const page = await staff.get(location);
    t.match(page.body, /The action is created/);
    const listed = await staff.get('/console/actions?status=planned');
    t.match(listed.body, new RegExp(`href="/console/actions/${actionId}">Mend the day room television`));
  });
  const url = () => `/console/actions/${actionId}`;

  await t.test('the page lists the feedback it answers by summary, never the private words', async (t) => {
    await api.request({ method: 'POST', url: `/v1/actions/${actionId}/feedback/${item.id}` });
    const page = await staff.get(url());
    t.equal(page.statusCode, 200);
    t.match(page.body, new RegExp(`<a href="/console/feedback/${item.id}">Feedback ${item.reference}</a>`));
    t.match(page.body, /The day room television is broken/);
    t.notMatch(page.body, /broken for weeks/);
    t.match(page.body, /Mark as in progress/);
  });

  await t.test('edit, and a stale version gives the conflict page without overwriting', async (t) => {
    const page = await staff.get(url());
    const stale = versionIn(page.body);
    const fields = {
      _csrf: csrf,
      version: stale,
      title: 'Replace the day room television',
      description: '',
      plannedFor: '2027-02-28',
      owner: 'Ward manager',
      coproductionLevel: 'consulting',
      livedExperienceCount: '2',
    };
    const edited = await staff.post(`${url()}/edit`, fields);
    t.equal(edited.statusCode, 303, edited.body);
    t.equal(edited.headers.location, `${url()}?done=edited`);
    let stored = (await api.request({ method: 'GET', url: `/v1/actions/${actionId}` })).json();
    t.equal(stored.title, 'Replace the day room television');
    t.equal(stored.description, null, 'an emptied box clears it');
    t.equal(stored.plannedFor, '2027-02-28');
    const conflict = await staff.post(`${url()}/edit`, { ...fields, title: 'A new television for the day room' });
    t.equal(conflict.statusCode, 409);
    t.match(conflict.body, /Someone else changed this action first/);
    t.match(conflict.body, /<td>Replace the day room television<\/td><td>A new television for the day room<\/td>/);
    t.match(conflict.body, /value="A new television for the day room"/, 'the form holds their own version');
    stored = (await api.request({ method: 'GET', url: `/v1/actions/${actionId}` })).json();
    t.equal(stored.title, 'Replace the day room television', 'nothing overwritten in silence');
    const staleComplete = await staff.post(`${url()}/complete`, { _csrf: csrf, version: stale, outcome: 'Done' });
    t.equal(staleComplete.statusCode, 409, 'a stale version is a conflict for the other forms too');
    t.equal((await api.request({ method: 'GET', url: `/v1/actions/${actionId}` })).json().status, 'planned');
  });

  await t.test('mark in progress', async (t) => {
    const page = await staff.get(url());
    const started = await staff.post(`${url()}/progress`, { _csrf: csrf, version: versionIn(page.body) });
    t.equal(started.statusCode, 303, started.body);
    t.equal((await api.request({ method: 'GET', url: `/v1/actions/${actionId}` })).json().status, 'in_progress');
    const after = await staff.get(String(started.headers.location));
    t.match(after.body, /The action is marked as in progress/);
    t.notMatch(after.body, /Mark as in progress/, 'no form that makes no sense for the status');
  });

  await t.test('an auditor reads but sees no forms, and a form of theirs is refused', async (t) => {
    const page = await auditor.get(url());
    t.equal(page.statusCode, 200);
    t.notMatch(page.body, /<form method="post" action="\/console\/actions/);
    t.match(page.body, /Your role can read actions but not change them/);
    const list = await auditor.get('/console/actions');
    t.notMatch(list.body, /Create an action/);
    const refused = await auditor.post(`${url()}/complete`, {
      _csrf: csrfOf(page.body),
      version: versionIn(await staff.get(url()).then((r) => r.body)),
      outcome: 'We did it',
    });
    t.equal(refused.statusCode, 403);
    t.equal((await api.request({ method: 'GET', url: `/v1/actions/${actionId}` })).json().status, 'in_progress');
    t.equal((await auditor.post('/console/actions', { _csrf: csrfOf(page.body), title: 'x' })).statusCode, 403);
  });

  await t.test('done with the public outcome: the board shows it, the audit trail names the person', async (t) => {
    const page = await staff.get(url());
    t.match(page.body, /it shows on the unit’s board as “We did”/, 'the outcome’s hint says it is public');
    const empty = await staff.post(`${url()}/complete`, { _csrf: csrf, version: versionIn(page.body), outcome: '' });
    t.equal(empty.statusCode, 400);
    t.match(empty.body, /<a href="#outcome">Write what you did/);
    const done = await staff.post(`${url()}/complete`, {
      _csrf: csrf,
      version: versionIn(page.body),
      outcome: 'A new television is on the day room wall',
    });
    t.equal(done.statusCode, 303, done.body);
    const stored = (await api.request({ method: 'GET', url: `/v1/actions/${actionId}` })).json();
    t.equal(stored.status, 'completed');
    t.equal(stored.outcome, 'A new television is on the day room wall');
    t.equal((await api.request({ method: 'GET', url: `/v1/feedback/${item.id}` })).json().status, 'actioned');
    const board = await api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
    t.match(board.body, /A new television is on the day room wall/, 'the ward’s board shows what was done');
    const audit = await api.sql<{ actor_name: string }>(
      sql`select actor_name from audit_events where entity_id = ${actionId} and action = 'completed'`,
    );
    t.match(audit[0]?.actor_name, /willow@trust\.nhs\.uk.*session of person/, 'audited as the person');
    const after = await staff.get(url());
    t.match(after.body, /A new television is on the day room wall/);
    t.notMatch(after.body, /action="[^"]+\/(complete|edit|cancel|progress)"/, 'no forms on a completed action');
  });

  await t.test('cancel with the reason; an illegal move shows the service’s message, 409', async (t) => {
    const created = await staff.post('/console/actions', { _csrf: csrf, unitId: ward.id, title: 'A quiz night' });
    const id = String(created.headers.location).split('/')[3]!.split('?')[0]!;
    const page = await staff.get(`/console/actions/${id}`);
    const version = versionIn(page.body);
    const cancelled = await staff.post(`/console/actions/${id}/cancel`, {
      _csrf: csrf,
      version,
      reason: 'The hall is closed for repairs',
    });
    t.equal(cancelled.statusCode, 303, cancelled.body);
    const stored = (await api.request({ method: 'GET', url: `/v1/actions/${id}` })).json();
    t.equal(stored.status, 'cancelled');
    t.equal(stored.cancelReason, 'The hall is closed for repairs');
    const after = await staff.get(`/console/actions/${id}`);
    t.match(after.body, /The hall is closed for repairs/);
    const illegal = await staff.post(`/console/actions/${id}/complete`, {
      _csrf: csrf,
      version: String(stored.version),
      outcome: 'We did it',
    });
    t.equal(illegal.statusCode, 409);
    t.match(
      illegal.body,
      /<a href="#status">Only a planned or in-progress action can be completed; this one is cancelled/,
    );
    const filtered = await staff.get('/console/actions?status=cancelled');
    t.match(filtered.body, /A quiz night/);
    t.notMatch(filtered.body, /Replace the day room television/);
  });

  await t.test('paging: next and previous pages carry the API’s cursor', async (t) => {
    for (let n = 0; n < 26; n += 1) {
      await api.request({ method: 'POST', url: '/v1/actions', payload: { unitId: ward.id, title: `Tea round ${n}` } });
    }
    const first = await staff.get('/console/actions');
    t.notMatch(first.body, /Previous page/);
    const next = /<a href="([^"]+)">Next page<\/a>/.exec(first.body)?.[1]?.replace(/&amp;/g, '&') as string;
    t.ok(next, 'a next page');
    const second = await staff.get(next);
    t.equal(second.statusCode, 200);
    t.match(second.body, /Replace the day room television/, 'the oldest on the second page');
    t.notMatch(second.body, /Tea round 25/);
    const previous = /<a href="([^"]+)">Previous page<\/a>/.exec(second.body)?.[1] as string;
    t.equal(previous, '/console/actions', 'back to the first page');
    const forged = await staff.get('/console/actions?cursor=bm9wZQ');
    t.equal(forged.statusCode, 400);
    t.match(forged.body, /Start again from the first page/);
    const badStatus = await staff.get('/console/actions?status=lost');
    t.equal(badStatus.statusCode, 400);
    t.match(badStatus.body, /<a href="#status">Choose a status from the list/);
  });
});
