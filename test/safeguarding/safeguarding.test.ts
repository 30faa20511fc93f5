import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import type { Schemas } from '../helpers/bodies.js';
import { loop, recordFeedback } from '../helpers/fixtures.js';

/** An item recorded by a staff or admin key, which reads back the whole `Feedback`. */
const recordAsStaff = async (api: TestApp, unitId: string, over: Record<string, unknown>, key?: string) =>
  (await recordFeedback(api, unitId, over, key)) as Schemas['Feedback'];

interface FeedEvent {
  type: string;
  unitId: string;
  data: Record<string, unknown>;
}

const events = async (api: TestApp, key: string): Promise<FeedEvent[]> => {
  const response = await api.request({ method: 'GET', url: '/v1/events?limit=500', key });
  if (response.statusCode !== 200) throw new Error(`events: ${response.statusCode} ${response.body}`);
  return response.json().events;
};

const item = async (api: TestApp, id: string, key?: string) => {
  const response = await api.request({ method: 'GET', url: `/v1/feedback/${id}`, key });
  if (response.statusCode !== 200) throw new Error(`item: ${response.statusCode} ${response.body}`);
  return response.json();
};

/** The database's own words for a refused statement (drizzle wraps them). */
async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    const cause = (error as { cause?: { message?: string; constraint?: string } }).cause;
    return `${cause?.constraint ?? ''} ${cause?.message ?? String(error)}`;
  }
  return 'accepted';
}

const review = (api: TestApp, id: string, body: Record<string, unknown>, key?: string) =>
  api.request({ method: 'POST', url: `/v1/feedback/${id}/safeguarding`, payload: body, key });

t.test('every intake path flags a phrase; the feed says so without the words', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const intake = await api.createKey('intake', ward.id);
  const staff = await api.createKey('staff');

  const single = await recordFeedback(api, ward.id, { text: 'MARKER-1 sometimes I want to end my life' }, intake);
  const plain = await recordFeedback(api, ward.id, { text: 'The abusers of the car park are back' }, intake);
  const batch = await api.request({
    method: 'POST',
    url: '/v1/feedback/batch',
    key: intake,
    payload: {
      items: [
        { unitId: ward.id, text: 'MARKER-2 A nurse HIT ME' },
        { unitId: ward.id, text: 'Tea is fine', youSaid: 'Worried about an overdose' },
        { unitId: ward.id, text: 'More films' },
      ],
    },
  });
  t.equal(batch.statusCode, 200, batch.body);
  const batchIds: string[] = batch.json().results.map((result: { id: string }) => result.id);
  const csv = ['unitId,text', `${ward.id},"MARKER-3 Je pense au suïcide"`, `${ward.id},Lovely garden`].join('\r\n');
  const imported = await api.request({
    method: 'POST',
    url: '/v1/feedback/import',
    key: intake,
    headers: { 'content-type': 'text/csv' },
    payload: csv,
  });
  t.equal(imported.statusCode, 200, imported.body);
  const importIds: string[] = imported.json().results.map((result: { id: string }) => result.id);

  const expected: [string, string, string[]][] = [
    [single.id, 'flagged', ['end my life']],
    [plain.id, 'none', []],
    [batchIds[0]!, 'flagged', ['hit me']],
    [batchIds[1]!, 'flagged', ['overdose']],
    [batchIds[2]!, 'none', []],
    [importIds[0]!, 'flagged', ['suicide']],
    [importIds[1]!, 'none', []],
  ];
  for (const [id, status, matches] of expected) {
    const seen = await item(api, id, staff);
    t.equal(seen.safeguarding, status, `${seen.text}: ${status}`);
    t.same(seen.safeguardingMatches, matches, 'the matched phrases, for staff');
  }
  t.notOk('safeguarding' in single, 'an intake key’s receipt does not say whether its item was flagged');

  const auditor = await api.createKey('auditor');
  t.equal((await item(api, single.id, auditor)).safeguarding, 'flagged', 'auditors see the status');

  const list = await api.request({ method: 'GET', url: '/v1/feedback?safeguarding=flagged', key: staff });
  t.same(
    list
      .json()
      .items.map((entry: { id: string }) => entry.id)
      .sort(),
    [single.id, batchIds[0], batchIds[1], importIds[0]].sort(),
    'the filter lists the flagged items',
  );
  const intakeList = await api.request({ method: 'GET', url: '/v1/feedback?safeguarding=flagged', key: intake });
  t.equal(intakeList.statusCode, 403, 'an intake key may not sort its items by flag');

  const feed = await events(api, staff);
  const announced = feed.filter((event) => event.type === 'feedback.safeguarding');
  t.same(
    announced.map((event) => event.data.id).sort(),
    [single.id, batchIds[0], batchIds[1], importIds[0]].sort(),
    'one feedback.safeguarding per flagged item, in the transaction of its intake',
  );
  t.same(Object.keys(announced[0]!.data).sort(), ['id', 'safeguarding', 'unitId']);
  t.equal(announced[0]!.data.safeguarding, 'flagged');
  t.notMatch(JSON.stringify(feed), /MARKER|end my life|hit me|overdose|suicide/i, 'no text and no phrase in the feed');
  const order = feed.filter((event) => event.data.id === single.id).map((event) => event.type);
  t.same(order, ['feedback.received', 'feedback.safeguarding'], 'received first, then the flag');

  const display = await events(api, await api.createKey('display', ward.id));
  t.ok(display.some((event) => event.type === 'feedback.received'));
  t.notOk(
    display.some((event) => event.type === 'feedback.safeguarding'),
    'a ward screen’s display key never learns an item was flagged',
  );

  const history = await api.sql<{ safeguarding: string }>(
    sql`select safeguarding from feedback_safeguarding_history where feedback_id = ${single.id}::uuid`,
  );
  t.same(
    history.map((row) => row.safeguarding),
    ['flagged'],
  );
  t.match(
    await refusal(() => api.sql(sql`update feedback_safeguarding_history set safeguarding = 'cleared'`)),
    /append-only: UPDATE refused/,
    'the history is never rewritten',
  );
  t.match(
    await refusal(() => api.sql(sql`update feedback_items set safeguarding = 'unknown' where id = ${single.id}::uuid`)),
    /feedback_safeguarding_check/,
    'the database holds the statuses',
  );
});

t.test('a flagged item stays off every public surface until staff review it', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff', ward.id);
  const steps = loop(api, staff);
  const summary = 'SUMMARY-SHOWN Being hit by another patient';
  const flagged = await recordAsStaff(
    api,
    ward.id,
    {
      text: 'PRIVATE-MARKER another patient hit me on Tuesday',
      youSaid: summary,
      publishConsent: true,
    },
    staff,
  );
  const decided = await recordAsStaff(
    api,
    ward.id,
    {
      text: 'PRIVATE-MARKER I was abused by a visitor',
      youSaid: 'SUMMARY-DECIDED Visitors in the lounge',
      publishConsent: true,
    },
    staff,
  );
  t.equal(flagged.safeguarding, 'flagged');
  await steps.closeWithAction(ward.id, [flagged.id]);
  t.equal((await steps.decide(decided.id)).statusCode, 200);

  const publicViews = async () => {
    const board = await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null });
    const page = await api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
    const tracked = await api.request({ method: 'GET', url: `/v1/track/${flagged.reference}`, key: null });
    const trackPage = await api.request({ method: 'GET', url: `/track/${flagged.reference}`, key: null });
    for (const response of [board, page, tracked, trackPage]) t.equal(response.statusCode, 200);
    return { board: board.body, page: page.body, tracked: tracked.json(), trackPage: trackPage.body };
  };

  const held = await publicViews();
  t.notMatch(held.board, /SUMMARY-SHOWN|SUMMARY-DECIDED/, 'the board JSON shows neither flagged summary');
  t.notMatch(held.page, /SUMMARY-SHOWN|SUMMARY-DECIDED/, 'nor the board page');
  t.match(held.board, 'We started a Sunday film club', 'the action itself is staff’s public words and stays');
  t.equal(held.tracked.status, 'actioned', 'the person tracking it still learns it arrived and where it stands');
  t.equal(held.tracked.youSaid, null, 'but not the summary');
  t.equal(held.tracked.answer, null, 'nor the answer, until the review');
  t.notMatch(held.trackPage, /SUMMARY-SHOWN|Sunday film club/);
  for (const body of [held.board, held.page, JSON.stringify(held.tracked), held.trackPage]) {
    t.notMatch(body, /PRIVATE-MARKER|safeguarding|flagged|hit me/i, 'no word of the screen on a public surface');
  }

  const cleared = await review(api, flagged.id, { status: 'cleared', note: 'Spoke to the ward manager' }, staff);
  t.equal(cleared.statusCode, 200, cleared.body);
  t.equal(cleared.json().safeguarding, 'cleared');
  t.equal(cleared.json().version, flagged.version + 3, 'the version moves, so the ETag does');
  const reviewed = await review(api, decided.id, { status: 'reviewed' }, staff);
  t.equal(reviewed.json().safeguarding, 'reviewed');

  const back = await publicViews();
  t.match(back.board, 'SUMMARY-SHOWN', 'cleared: the summary is back on the board');
  t.match(back.board, 'SUMMARY-DECIDED', 'reviewed: the decision is back on the board');
  t.match(back.page, 'SUMMARY-SHOWN');
  t.equal(back.tracked.youSaid, summary);
  t.equal(back.tracked.answer?.type, 'we_did');

  const again = await review(api, flagged.id, { status: 'flagged' }, staff);
  t.equal(again.json().safeguarding, 'flagged', 'staff can flag an item again by hand');
  t.notMatch((await publicViews()).board, 'SUMMARY-SHOWN', 'and it leaves the board at once');

  const feed = (await events(api, staff)).filter(
    (event) => event.type === 'feedback.safeguarding' && event.data.id === flagged.id,
  );
  t.same(
    feed.map((event) => event.data.safeguarding),
    ['flagged', 'cleared', 'flagged'],
  );

  const audit = await api.request({
    method: 'GET',
    url: `/v1/audit?entityId=${flagged.id}`,
    key: await api.createKey('auditor'),
  });
  const changes = audit
    .json()
    .items.filter((entry: { action: string }) => entry.action === 'safeguarding_changed')
    .map((entry: { details: Record<string, unknown> }) => entry.details);
  t.same(changes.reverse(), [
    { from: 'flagged', to: 'cleared', note: 'Spoke to the ward manager' },
    { from: 'cleared', to: 'flagged' },
  ]);
});

t.test('staff flag by hand; the review rules', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api);
  const staff = await api.createKey('staff', ward.id);
  const quiet = await recordAsStaff(
    api,
    ward.id,
    {
      text: 'I am frightened of the man in bed four',
      youSaid: 'SUMMARY-QUIET Feeling unsafe at night',
      publishConsent: true,
    },
    staff,
  );
  t.equal(quiet.safeguarding, 'none', 'no phrase matched');

  const never = await review(api, quiet.id, { status: 'cleared' }, staff);
  t.equal(never.statusCode, 409, 'an item never flagged cannot be cleared');
  t.equal(never.json().type, 'urn:wedid:problem:illegal-transition');
  const bad = await review(api, quiet.id, { status: 'none' }, staff);
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().errors[0].path, '/status');
  const stale = await api.request({
    method: 'POST',
    url: `/v1/feedback/${quiet.id}/safeguarding`,
    key: staff,
    headers: { 'if-match': '"v99"' },
    payload: { status: 'flagged' },
  });
  t.equal(stale.statusCode, 412);

  const flagged = await review(api, quiet.id, { status: 'flagged', note: 'Said more on the phone' }, staff);
  t.equal(flagged.statusCode, 200);
  t.equal(flagged.json().safeguarding, 'flagged');
  t.same(flagged.json().safeguardingMatches, [], 'flagged by hand: no phrase matched');
  const same = await review(api, quiet.id, { status: 'flagged' }, staff);
  t.equal(same.json().version, flagged.json().version, 'setting the status it has changes nothing');

  const other = await recordFeedback(api, otherWard.id, { text: 'suicide' });
  t.equal((await review(api, other.id, { status: 'cleared' }, staff)).statusCode, 404, 'outside the key’s scope');
  const auditor = await api.createKey('auditor');
  t.equal((await review(api, quiet.id, { status: 'cleared' }, auditor)).statusCode, 403, 'auditors only read');

  const erased = await api.request({ method: 'POST', url: `/v1/feedback/${other.id}/erase` });
  t.equal(erased.json().safeguarding, 'flagged', 'erasure keeps the status, as it keeps the counts');
  t.same(erased.json().safeguardingMatches, [], 'and removes the phrases found in the words it removes');
});

t.test('admins manage the phrase list', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const staff = await api.createKey('staff');
  const scopedAdmin = await api.createKey('admin', ward.id);

  const initial = await api.request({ method: 'GET', url: '/v1/safeguarding/phrases', key: staff });
  t.equal(initial.statusCode, 200);
  t.equal(initial.headers.etag, '"v1"');
  t.ok(initial.json().phrases.includes('kill myself'), 'seeded with the documented starting list');
  t.ok(initial.json().phrases.includes('self-harm'));
  t.equal(
    (await api.request({ method: 'GET', url: '/v1/safeguarding/phrases', key: await api.createKey('intake') }))
      .statusCode,
    403,
  );

  const before = await recordAsStaff(api, ward.id, { text: 'Someone is grooming my sister' });
  t.equal(before.safeguarding, 'none');

  const phrases = [...initial.json().phrases, 'grooming', '  Zwangsjacke  '];
  const put = (body: unknown, key?: string, headers: Record<string, string> = {}) =>
    api.request({ method: 'PUT', url: '/v1/safeguarding/phrases', payload: body as object, key, headers });
  t.equal((await put({ phrases }, staff)).statusCode, 403, 'staff may not change it');
  t.equal((await put({ phrases }, scopedAdmin)).statusCode, 403, 'nor an admin key scoped to a unit');
  const duplicate = await put({ phrases: ['suicide', 'SUÏCIDE'] });
  t.equal(duplicate.statusCode, 400);
  t.equal(duplicate.json().errors[0].path, '/phrases/1', 'the same phrase once case and accents are ignored');
  const blank = await put({ phrases: ['ok', '  --  '] });
  t.equal(blank.statusCode, 400);
  t.equal(blank.json().errors[0].path, '/phrases/1', 'a phrase needs a letter or digit');
  t.equal((await put({ phrases, extra: 1 })).statusCode, 400);
  t.equal((await put({ phrases }, undefined, { 'if-match': '"v7"' })).statusCode, 412, 'a stale If-Match');

  const replaced = await put({ phrases }, undefined, { 'if-match': '"v1"' });
  t.equal(replaced.statusCode, 200, replaced.body);
  t.equal(replaced.headers.etag, '"v2"');
  t.same(replaced.json().phrases.slice(-2), ['grooming', 'Zwangsjacke'], 'trimmed, in order');

  const after = await recordAsStaff(api, ward.id, { text: 'Someone is GROOMING my sister' });
  t.equal(after.safeguarding, 'flagged', 'a new phrase flags what arrives from then on');
  t.same(after.safeguardingMatches, ['grooming']);
  t.equal((await item(api, before.id)).safeguarding, 'none', 'items already recorded are not screened again');

  const audit = await api.request({
    method: 'GET',
    url: '/v1/audit?entityType=safeguarding_phrases',
    key: await api.createKey('auditor'),
  });
  const entries = audit.json().items;
  t.equal(entries.length, 1, 'the replacement is audited once; refused ones are not');
  t.same(entries[0].details, { added: ['grooming', 'Zwangsjacke'], removed: [], count: phrases.length });

  const off = await put({ phrases: [] });
  t.equal(off.statusCode, 200, 'an empty list switches the screen off');
  t.equal((await recordAsStaff(api, ward.id, { text: 'suicide' })).safeguarding, 'none');
});
