import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';

t.test('a recommendation goes proposed → accepted → done, and back to accepted, with its events', async (t) => {
  const api = await buildTestApp(t);
  const { site, ward, otherWard } = await createTree(api, 'M');
  const reviewer = await api.createKey('reviewer', ward.id, 'Alex Panelmember');
  const staff = await api.createKey('staff', ward.id);
  const l = loop(api);
  const seen = await l.feedback(ward.id, { youSaid: 'Nothing to do in the evenings', reviewConsent: true });
  const hidden = await l.feedback(ward.id, { youSaid: 'Not for the panel' });
  const elsewhere = await l.feedback(otherWard.id, { youSaid: 'Ash ward item', publishConsent: true });

  const make = (body: Record<string, unknown>, key = reviewer) =>
    api.request({ method: 'POST', url: '/v1/recommendations', key, payload: body });
  const base = { unitId: ward.id, title: 'Evening activities', text: 'Several people said evenings are long.' };

  for (const [feedbackId, why] of [
    [hidden.id, 'an item without consent'],
    [elsewhere.id, 'an item outside the reviewer’s scope'],
    ['00000000-0000-4000-8000-000000000000', 'an id nobody has'],
  ] as const) {
    const refused = await make({ ...base, feedbackIds: [feedbackId] });
    t.equal(refused.statusCode, 400, why);
    t.match(refused.json().errors, [
      { path: '/feedbackIds/0', message: 'No such feedback item in the review list of this unit' },
    ]);
  }
  t.equal((await make({ ...base, unitId: otherWard.id })).statusCode, 400, 'a unit outside the scope');
  t.equal((await make({ ...base, themes: ['not_a_theme'] })).statusCode, 400, 'a theme not in the vocabulary');
  t.equal((await make(base, staff)).statusCode, 201, 'staff may record one from a panel meeting');
  const auditor = await api.createKey('auditor');
  t.equal((await make(base, auditor)).statusCode, 403, 'an auditor may not');

  const created = await make({ ...base, feedbackIds: [seen.id], themes: ['activities'] });
  t.equal(created.statusCode, 201, created.body);
  const recommendation = created.json();
  t.match(recommendation, {
    status: 'proposed',
    feedbackIds: [seen.id],
    themes: ['activities'],
    actionIds: [],
    respondedAt: null,
  });
  t.notOk(created.body.includes('Panelmember'), 'the maker is never named');

  // A reviewer may not answer it; staff answer with actions of the ward's subtree only.
  const accept = (actionIds: string[], key = staff) =>
    api.request({
      method: 'POST',
      url: `/v1/recommendations/${recommendation.id}/accept`,
      key,
      payload: { actionIds },
    });
  const first = await l.action({ unitId: ward.id, title: 'Board games on Tuesdays' });
  const second = await l.action({ unitId: ward.id, title: 'Film night on Fridays' });
  const siteAction = await l.action({ unitId: site.id, title: 'Site-wide music' });
  t.equal((await accept([first.id], reviewer)).statusCode, 403, 'a reviewer cannot accept');
  t.equal(
    (await accept([siteAction.id])).statusCode,
    400,
    'an action above the ward (outside the scope of the staff key)',
  );
  t.equal(
    (await accept([siteAction.id], undefined as unknown as string)).statusCode,
    400,
    'an action outside the subtree',
  );

  const accepted = await accept([first.id, second.id]);
  t.equal(accepted.statusCode, 200, accepted.body);
  t.equal(accepted.json().status, 'accepted');
  t.same([...accepted.json().actionIds].sort(), [first.id, second.id].sort());
  t.ok(accepted.json().respondedAt);
  const decline = await api.request({
    method: 'POST',
    url: `/v1/recommendations/${recommendation.id}/decline`,
    key: staff,
    payload: { response: 'No' },
  });
  t.equal(decline.statusCode, 409, 'an accepted one cannot be declined');
  t.match(decline.json().detail, /Only a proposed recommendation can be declined/);

  await l.complete(first.id, 'Board games every Tuesday');
  const read = async () =>
    (await api.request({ method: 'GET', url: `/v1/recommendations/${recommendation.id}`, key: reviewer })).json();
  t.equal((await read()).status, 'accepted', 'one of two actions done: still accepted');
  await l.complete(second.id, 'A film every Friday');
  const done = await read();
  t.equal(done.status, 'done', 'the last action completed: done, by the database');
  t.ok(done.doneAt);
  t.equal((await accept([first.id])).statusCode, 409, 'a done one has its answer');

  // A new live action linked by hand in SQL sends it back to accepted: the database keeps the rule.
  const third = await l.action({ unitId: ward.id, title: 'Gardening club' });
  await api.sql(
    sql`insert into recommendation_actions (recommendation_id, action_id) values (${recommendation.id}, ${third.id})`,
  );
  t.match(await read(), { status: 'accepted', doneAt: null }, 'a live action linked: accepted again');
  await l.cancel(third.id);
  t.equal((await read()).status, 'accepted', 'a cancelled action keeps it from done');
  const replaced = await accept([first.id, second.id]);
  t.equal(replaced.statusCode, 200);
  t.equal(replaced.json().status, 'done', 'answered again without the cancelled action: done');

  const events = await api.sql<{ type: string; data: Record<string, unknown> }>(
    sql`select type, data from events where type like 'recommendation.%' and data->>'id' = ${recommendation.id} order by position`,
  );
  t.same(
    events.map((event) => [event.type, event.data.status, event.data.previousStatus ?? null]),
    [
      ['recommendation.created', 'proposed', null],
      ['recommendation.accepted', 'accepted', 'proposed'],
      ['recommendation.done', 'done', 'accepted'],
      ['recommendation.accepted', 'accepted', 'done'],
      ['recommendation.accepted', 'accepted', null],
      ['recommendation.done', 'done', 'accepted'],
    ],
  );
  t.same(events[0]!.data.feedbackIds, [seen.id], 'the created event carries the links made with it');
  for (const event of events) {
    t.notOk(JSON.stringify(event.data).match(/Evening activities|evenings are long|Panelmember/), 'no text in events');
  }
  const audit = await api.sql<{ action: string }>(
    sql`select action from audit_events where entity_type = 'recommendation' and entity_id = ${recommendation.id} order by seq`,
  );
  t.same(
    audit.map((row) => row.action),
    ['created', 'accepted', 'accepted'],
  );
  const history = await api.sql<{ to_status: string }>(
    sql`select to_status from recommendation_transitions where recommendation_id = ${recommendation.id} order by id`,
  );
  t.same(
    history.map((row) => row.to_status),
    ['proposed', 'accepted', 'done', 'accepted', 'done'],
  );
});

t.test('declined needs a public response; lists are scoped and paged', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard } = await createTree(api, 'N');
  const reviewer = await api.createKey('reviewer', ward.id);
  const otherReviewer = await api.createKey('reviewer', ward.id, 'Another member');
  const ashReviewer = await api.createKey('reviewer', otherWard.id);
  const make = async (key: string, unitId: string, title: string) => {
    const response = await api.request({
      method: 'POST',
      url: '/v1/recommendations',
      key,
      payload: { unitId, title, text: 'Why' },
    });
    t.equal(response.statusCode, 201, response.body);
    return response.json();
  };
  const mine = await make(reviewer, ward.id, 'Later breakfasts');
  const theirs = await make(otherReviewer, ward.id, 'Quiet room');
  const ash = await make(ashReviewer, otherWard.id, 'Ash garden');

  const blank = await api.request({
    method: 'POST',
    url: `/v1/recommendations/${mine.id}/decline`,
    payload: { response: '   ' },
  });
  t.equal(blank.statusCode, 400, 'an empty response is refused');
  const declined = await api.request({
    method: 'POST',
    url: `/v1/recommendations/${mine.id}/decline`,
    payload: { response: 'Breakfast times are set by the kitchen contract until 2027' },
  });
  t.equal(declined.statusCode, 200);
  t.match(declined.json(), {
    status: 'declined',
    response: 'Breakfast times are set by the kitchen contract until 2027',
  });
  const again = await api.request({
    method: 'POST',
    url: `/v1/recommendations/${mine.id}/accept`,
    payload: { actionIds: [ash.id] },
  });
  t.equal(again.statusCode, 409);
  t.match(again.json().detail, /declined recommendation has its answer/);

  const page1 = await api.request({ method: 'GET', url: '/v1/recommendations?limit=1', key: reviewer });
  const page2 = await api.request({
    method: 'GET',
    url: `/v1/recommendations?limit=1&cursor=${page1.json().nextCursor}`,
    key: reviewer,
  });
  t.same(
    [...page1.json().items, ...page2.json().items].map((r: { id: string }) => r.id),
    [theirs.id, mine.id],
    'the panel sees every recommendation of its ward, its own and others’, newest first',
  );
  t.equal(page2.json().nextCursor, null);
  const hiddenAsh = await api.request({ method: 'GET', url: `/v1/recommendations/${ash.id}`, key: reviewer });
  t.equal(hiddenAsh.statusCode, 404, 'another ward’s is not found');
  const onlyMine = await api.request({ method: 'GET', url: '/v1/recommendations?mine=true', key: reviewer });
  t.same(
    onlyMine.json().items.map((r: { id: string }) => r.id),
    [mine.id],
    '"my recommendations": only the ones this key made',
  );
  const declinedOnly = await api.request({ method: 'GET', url: '/v1/recommendations?status=declined' });
  t.same(
    declinedOnly.json().items.map((r: { id: string }) => r.id),
    [mine.id],
  );
});

/** The database error behind a refused statement: its message and constraint, whichever driver. */
async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    const cause = (error as { cause?: { message?: string; constraint?: string } }).cause;
    return `${cause?.constraint ?? ''} ${cause?.message ?? (error as Error).message}`;
  }
  return 'accepted';
}

t.test('hand-written SQL that breaks a recommendation invariant is refused by the database', async (t) => {
  const api = await buildTestApp(t);
  const db = api.app.db;
  const { site, ward, otherWard } = await createTree(api, 'Q');
  const l = loop(api);
  const make = async () => {
    const response = await api.request({
      method: 'POST',
      url: '/v1/recommendations',
      payload: { unitId: ward.id, title: 'Later breakfasts', text: 'People asked' },
    });
    return response.json() as { id: string };
  };
  const proposed = await make();
  const accepted = await make();
  const live = await l.action({ unitId: ward.id, title: 'Breakfast until ten' });
  const completed = await l.action({ unitId: ward.id, title: 'Cereal at night' });
  await l.complete(completed.id, 'Cereal is out from nine');
  const siteAction = await l.action({ unitId: site.id, title: 'A site rota' });
  const ashAction = await l.action({ unitId: otherWard.id, title: 'Ash only' });
  const accept = await api.request({
    method: 'POST',
    url: `/v1/recommendations/${accepted.id}/accept`,
    payload: { actionIds: [live.id] },
  });
  t.equal(accept.statusCode, 200, accept.body);
  const ashItem = await l.feedback(otherWard.id, { youSaid: 'Ash', publishConsent: true });

  const cases: [string, RegExp, () => Promise<unknown>][] = [
    [
      'declined without a response',
      /recommendations_declined_response_check/,
      () =>
        db.execute(sql`update recommendations set status = 'declined', responded_at = now() where id = ${proposed.id}`),
    ],
    [
      'declined with a blank response',
      /recommendations_declined_response_check/,
      () =>
        db.execute(
          sql`update recommendations set status = 'declined', response = '  ', responded_at = now() where id = ${proposed.id}`,
        ),
    ],
    [
      'done while a linked action is still planned',
      /recommendations_done_when_actions_completed/,
      () => db.execute(sql`update recommendations set status = 'done', done_at = now() where id = ${accepted.id}`),
    ],
    [
      'accepted without any action',
      /recommendations_actions_when_accepted/,
      () =>
        db.execute(sql`update recommendations set status = 'accepted', responded_at = now() where id = ${proposed.id}`),
    ],
    [
      'an action linked to a proposed recommendation',
      /recommendations_actions_when_accepted/,
      () =>
        db.execute(
          sql`insert into recommendation_actions (recommendation_id, action_id) values (${proposed.id}, ${completed.id})`,
        ),
    ],
    [
      'removing the last action of an accepted recommendation',
      /recommendations_actions_when_accepted/,
      () => db.execute(sql`delete from recommendation_actions where recommendation_id = ${accepted.id}`),
    ],
    [
      'an action of the site above the ward',
      /recommendation_links_within_subtree/,
      () =>
        db.execute(
          sql`insert into recommendation_actions (recommendation_id, action_id) values (${accepted.id}, ${siteAction.id})`,
        ),
    ],
    [
      'an action of a sibling ward',
      /recommendation_links_within_subtree/,
      () =>
        db.execute(
          sql`insert into recommendation_actions (recommendation_id, action_id) values (${accepted.id}, ${ashAction.id})`,
        ),
    ],
    [
      'feedback of a sibling ward',
      /recommendation_links_within_subtree/,
      () =>
        db.execute(
          sql`insert into recommendation_feedback (recommendation_id, feedback_id) values (${proposed.id}, ${ashItem.id})`,
        ),
    ],
    [
      'a proposed recommendation with a response date',
      /recommendations_responded_check/,
      () => db.execute(sql`update recommendations set responded_at = now() where id = ${proposed.id}`),
    ],
    [
      'rewriting its history',
      /append-only/,
      () => db.execute(sql`delete from recommendation_transitions where recommendation_id = ${accepted.id}`),
    ],
  ];
  for (const [what, rule, run] of cases) t.match(await refusal(run), rule, what);

  const statuses = await api.sql<{ id: string; status: string }>(
    sql`select id, status from recommendations order by created_at`,
  );
  t.same(
    statuses.map((row) => row.status),
    ['proposed', 'accepted'],
    'nothing refused was kept',
  );
  // The allowed path in SQL: completing the last action by hand makes it done, by the database.
  await db.execute(
    sql`update actions set status = 'completed', outcome = 'Breakfast now runs to ten', completed_at = now(), version = version + 1 where id = ${live.id}`,
  );
  const [row] = await api.sql<{ status: string }>(sql`select status from recommendations where id = ${accepted.id}`);
  t.equal(row?.status, 'done');
});
