import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { loop, refusal } from '../helpers/fixtures.js';

t.test('hand-written SQL that breaks a status invariant is refused by the database', async (t) => {
  const api = await buildTestApp(t);
  const db = api.app.db;
  const { ward } = await createTree(api);
  const l = loop(api);
  const open = await l.feedback(ward.id);
  const actioned = await l.feedback(ward.id);
  const declined = await l.feedback(ward.id);
  const planned = await l.feedback(ward.id);
  const done = await l.closeWithAction(ward.id, [actioned.id]);
  await l.decide(declined.id);
  const live = await l.action({ unitId: ward.id, feedbackIds: [planned.id] });

  t.match(
    await refusal(() =>
      db.execute(sql`update feedback_items set status = 'actioned', closed_at = now() where id = ${open.id}`),
    ),
    /feedback_actioned_has_completed_action/,
    'actioned without a completed action',
  );
  t.match(
    await refusal(() => db.execute(sql`delete from action_feedback where feedback_id = ${actioned.id}`)),
    /feedback_actioned_has_completed_action/,
    'removing the only completed action’s link from an actioned item',
  );
  t.match(
    await refusal(() =>
      db.execute(
        sql`update actions set status = 'in_progress', completed_at = null, outcome = null where id = ${done.id}`,
      ),
    ),
    /feedback_actioned_has_completed_action/,
    'un-completing the action that closed an item',
  );
  t.match(
    await refusal(() =>
      db.execute(sql`update feedback_items set status = 'not_actioned', closed_at = now() where id = ${open.id}`),
    ),
    /feedback_not_actioned_has_decision/,
    'not_actioned without a decision',
  );
  t.match(
    await refusal(() => db.execute(sql`update decisions set superseded_at = now() where feedback_id = ${declined.id}`)),
    /feedback_not_actioned_has_decision/,
    'superseding the decision of a not_actioned item without reopening it',
  );
  t.match(
    await refusal(() => db.execute(sql`update decisions set explanation = '   ' where feedback_id = ${declined.id}`)),
    /decisions_explanation_check/,
    'an empty explanation',
  );
  t.match(
    await refusal(() =>
      db.execute(
        sql`insert into decisions (feedback_id, reason_code, explanation) values (${declined.id}, 'other', 'Second')`,
      ),
    ),
    /decisions_current_unique|duplicate key/,
    'two current decisions',
  );
  t.match(
    await refusal(() =>
      db.execute(
        sql`insert into decisions (feedback_id, reason_code, explanation) values (${open.id}, 'other', 'Stray')`,
      ),
    ),
    /feedback_not_actioned_has_decision/,
    'a current decision on an open item',
  );
  t.match(
    await refusal(() =>
      db.execute(sql`update decisions set feedback_id = ${open.id} where feedback_id = ${declined.id}`),
    ),
    /feedback_not_actioned_has_decision/,
    'moving a decision to another item (both items are checked)',
  );
  t.match(
    await refusal(() => db.execute(sql`update feedback_items set closed_at = null where id = ${actioned.id}`)),
    /feedback_closed_at_check/,
    'a closed item without closedAt',
  );
  t.match(
    await refusal(() => db.execute(sql`update feedback_items set closed_at = now() where id = ${open.id}`)),
    /feedback_closed_at_check/,
    'an open item with closedAt',
  );
  t.match(
    await refusal(() => db.execute(sql`update feedback_items set status = 'planned' where id = ${open.id}`)),
    /feedback_planned_has_live_action/,
    'planned without a live action',
  );
  t.match(
    await refusal(() =>
      db.execute(
        sql`update actions set status = 'cancelled', cancelled_at = now(), cancel_reason = 'x' where id = ${live.id}`,
      ),
    ),
    /feedback_planned_has_live_action/,
    'cancelling an action by hand while its item stays planned',
  );
  t.match(
    await refusal(() =>
      db.execute(sql`update action_feedback set feedback_id = ${open.id} where feedback_id = ${actioned.id}`),
    ),
    /feedback_actioned_has_completed_action/,
    'moving a link to another item checks the item that lost it',
  );

  // One transaction may pass through intermediate states as long as it ends consistent.
  await db.transaction(async (tx) => {
    await tx.execute(sql`update feedback_items set status = 'planned' where id = ${open.id}`);
    await tx.execute(sql`insert into action_feedback (action_id, feedback_id) values (${live.id}, ${open.id})`);
  });
  t.equal(await l.status(open.id), 'planned', 'checks run at commit, on the final state');

  for (const id of [open.id, actioned.id, declined.id, planned.id]) {
    const [row] = await api.sql<{ status: string; closed: boolean }>(
      sql`select status, closed_at is not null as closed from feedback_items where id = ${id}`,
    );
    t.equal(row?.closed, row?.status === 'actioned' || row?.status === 'not_actioned', 'nothing slipped through');
  }
});

t.test('the database keeps a live action’s items inside its unit subtree', async (t) => {
  const api = await buildTestApp(t);
  const db = api.app.db;
  const { trust, site, ward, otherWard } = await createTree(api);
  const site2 = await api.createUnit({ type: 'site', code: 'T-HILL', name: 'Hilltop', parentId: trust.id });
  const l = loop(api);
  const willow = await l.feedback(ward.id);
  const ash = await l.feedback(otherWard.id);
  const wardAction = await l.action({ unitId: ward.id });
  const siteAction = await l.action({ unitId: site.id, feedbackIds: [willow.id] });

  t.match(
    await refusal(() =>
      db.execute(sql`insert into action_feedback (action_id, feedback_id) values (${wardAction.id}, ${ash.id})`),
    ),
    /action_links_within_subtree/,
    'a link to an item of a sibling ward',
  );
  t.match(
    await refusal(() =>
      db.execute(
        sql`update units set path = array[${trust.id}, ${site2.id}, ${ward.id}]::uuid[], parent_id = ${site2.id} where id = ${ward.id}`,
      ),
    ),
    /action_links_within_subtree/,
    'moving a ward away from the site whose live action answers its item',
  );
  t.match(
    await refusal(() => db.execute(sql`update actions set unit_id = ${otherWard.id} where id = ${siteAction.id}`)),
    /action_links_within_subtree/,
    'moving the action to a unit its items are not under',
  );
  t.equal((await l.complete(siteAction.id)).statusCode, 200);
  await db.execute(
    sql`update units set path = array[${trust.id}, ${site2.id}, ${ward.id}]::uuid[], parent_id = ${site2.id} where id = ${ward.id}`,
  );
  t.pass('a completed action’s links are its record: the ward may move');
});

t.test('audit events are append-only in the database', async (t) => {
  const api = await buildTestApp(t);
  const db = api.app.db;
  await createTree(api);
  t.match(
    await refusal(() => db.execute(sql`update audit_events set actor_name = 'someone else'`)),
    /append-only: UPDATE refused/,
  );
  t.match(await refusal(() => db.execute(sql`delete from audit_events`)), /append-only: DELETE refused/);
  t.match(await refusal(() => db.execute(sql`truncate audit_events`)), /append-only: TRUNCATE refused/);
  const verify = await api.request({ method: 'GET', url: '/v1/audit/verify' });
  if (verify.statusCode === 200) t.equal(verify.json().ok, true, 'the chain is intact');
});
