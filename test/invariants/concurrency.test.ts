import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';

// On PostgreSQL these requests really overlap (one pool connection each); on PGlite (one connection)
// they queue, and the same assertions still hold.

t.test('complete and cancel the same action at once: exactly one wins, items follow it', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api, await api.createKey('staff'));
  for (let round = 0; round < 6; round++) {
    const a = await l.feedback(ward.id);
    const b = await l.feedback(ward.id);
    const action = await l.action({ unitId: ward.id, feedbackIds: [a.id, b.id] });
    const [completed, cancelled] = await Promise.all([l.complete(action.id), l.cancel(action.id)]);
    t.same(
      [completed.statusCode, cancelled.statusCode].sort(),
      [200, 409],
      `round ${round}: one succeeds, the other is refused`,
    );
    const loser = completed.statusCode === 409 ? completed : cancelled;
    t.equal(loser.json().type, 'urn:wedid:problem:illegal-transition');
    const final = (await l.send('GET', `/v1/actions/${action.id}`)).json();
    const expected = final.status === 'completed' ? 'actioned' : 'in_review';
    t.equal(final.status, completed.statusCode === 200 ? 'completed' : 'cancelled');
    t.equal(await l.status(a.id), expected);
    t.equal(await l.status(b.id), expected);
  }
});

t.test('a decision and a link on the same item at once: one wins, never both', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);
  for (let round = 0; round < 6; round++) {
    const item = await l.feedback(ward.id);
    const action = await l.action({ unitId: ward.id });
    const [decided, linked] = await Promise.all([l.decide(item.id), l.link(action.id, item.id)]);
    t.same([decided.statusCode, linked.statusCode].sort(), [200, 409], `round ${round}: exactly one succeeds`);
    const final = await l.item(item.id);
    if (decided.statusCode === 200) {
      t.equal(final.status, 'not_actioned');
      t.same(final.actionIds, [], 'the refused link left nothing behind');
    } else {
      t.equal(final.status, 'planned');
      t.equal(final.decision, null, 'the refused decision left nothing behind');
    }
  }
});

t.test('cancelling or unlinking two live actions of one item at once leaves it in_review', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);
  for (let round = 0; round < 4; round++) {
    const item = await l.feedback(ward.id);
    const first = await l.action({ unitId: ward.id, feedbackIds: [item.id] });
    const second = await l.action({ unitId: ward.id, feedbackIds: [item.id] });
    const results =
      round % 2 === 0
        ? await Promise.all([l.cancel(first.id), l.cancel(second.id)])
        : await Promise.all([l.unlink(first.id, item.id), l.unlink(second.id, item.id)]);
    t.same(
      results.map((r) => r.statusCode),
      [200, 200],
    );
    t.equal(await l.status(item.id), 'in_review', `round ${round}: no item left planned without a live action`);
  }
});

t.test('links racing a completion: every item linked at the end is actioned', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);
  const items = [];
  for (let i = 0; i < 6; i++) items.push(await l.feedback(ward.id));
  const action = await l.action({ unitId: ward.id, feedbackIds: [items[0]!.id] });
  const responses = await Promise.all([
    ...items.slice(1).map((item) => l.link(action.id, item.id)),
    l.complete(action.id),
    l.decide(items[5]!.id),
  ]);
  t.ok(
    responses.every((r) => r.statusCode === 200 || r.statusCode === 409),
    'every request gets a clear answer',
  );
  const final = (await l.send('GET', `/v1/actions/${action.id}`)).json();
  t.equal(final.status, 'completed');
  for (const item of items) {
    const state = await l.item(item.id);
    if (final.feedbackIds.includes(item.id)) t.equal(state.status, 'actioned', 'linked items are closed by it');
    else t.ok(['received', 'not_actioned'].includes(state.status), 'others are untouched or decided');
  }
});

t.test('the database itself refuses write skew between two hand-written transactions', async (t) => {
  const api = await buildTestApp(t);
  const db = api.app.db;
  const { ward } = await createTree(api);
  const l = loop(api);
  const item = await l.feedback(ward.id);
  const first = await l.action({ unitId: ward.id, feedbackIds: [item.id] });
  const second = await l.action({ unitId: ward.id, feedbackIds: [item.id] });
  await l.complete(first.id);
  await l.complete(second.id);
  t.equal(await l.status(item.id), 'actioned');

  // Each transaction removes one of the two completed actions' links; each alone is fine.
  const unlink = (actionId: string, ready: () => void, go: Promise<void>) =>
    db.transaction(async (tx) => {
      await tx.execute(sql`delete from action_feedback where action_id = ${actionId} and feedback_id = ${item.id}`);
      ready();
      await go;
    });
  let outcomes: PromiseSettledResult<void>[];
  if (api.database.kind === 'pglite') {
    // One connection: the transactions cannot overlap, so run them one after the other.
    outcomes = [];
    for (const actionId of [first.id, second.id]) {
      outcomes.push((await Promise.allSettled([unlink(actionId, () => {}, Promise.resolve())]))[0]!);
    }
  } else {
    let readyCount = 0;
    let release: () => void = () => {};
    const go = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ready = () => {
      readyCount += 1;
      if (readyCount === 2) release();
    };
    outcomes = await Promise.allSettled([unlink(first.id, ready, go), unlink(second.id, ready, go)]);
  }
  t.same(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected'], 'exactly one of the two commits');
  const [row] = await api.sql<{ links: number }>(
    sql`select count(*)::int as links from action_feedback l join actions a on a.id = l.action_id
          where l.feedback_id = ${item.id} and a.status = 'completed'`,
  );
  t.equal(row?.links, 1, 'the actioned item still has a completed action');
});
