import { asc, eq } from 'drizzle-orm';
import t from 'tap';
import { auditEvents, decisions, feedbackTransitions } from '../../src/db/schema/index.js';
import { buildTestApp, createTree } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';

const history = async (api: Awaited<ReturnType<typeof buildTestApp>>, feedbackId: string) =>
  (
    await api.app.db
      .select()
      .from(feedbackTransitions)
      .where(eq(feedbackTransitions.feedbackId, feedbackId))
      .orderBy(asc(feedbackTransitions.id))
  ).map((row) => `${row.fromStatus}>${row.toStatus}`);

t.test('link → planned, complete → actioned with closedAt; one action answers many items', async (t) => {
  const api = await buildTestApp(t);
  const { ward, site } = await createTree(api);
  const staff = await api.createKey('staff');
  const l = loop(api, staff);
  const a = await l.feedback(ward.id, { kind: 'suggestion' });
  const b = await l.feedback(ward.id, { kind: 'concern' });
  const c = await l.feedback(ward.id, { kind: 'compliment' });

  const action = await l.action({ unitId: site.id, feedbackIds: [a.id, b.id] });
  t.same(action.feedbackIds.sort(), [a.id, b.id].sort());
  t.equal(await l.status(a.id), 'planned', 'linking a received item makes it planned');
  t.equal(await l.status(b.id), 'planned');

  const linked = await l.link(action.id, c.id);
  t.equal(linked.statusCode, 200);
  t.equal(linked.headers.etag, `"v${linked.json().version}"`);
  t.equal(await l.status(c.id), 'planned', 'a compliment closes through an action too');
  const again = await l.link(action.id, c.id);
  t.equal(again.statusCode, 200, 'linking twice changes nothing');
  t.equal(again.json().version, linked.json().version);

  const done = await l.complete(action.id);
  t.equal(done.statusCode, 200);
  t.equal(done.json().status, 'completed');
  t.equal(done.json().outcome, 'We started a Sunday film club');
  t.ok(done.json().completedAt);
  for (const id of [a.id, b.id, c.id]) {
    const item = await l.item(id);
    t.equal(item.status, 'actioned');
    t.ok(item.closedAt, 'a closed item has closedAt');
    t.same(item.actionIds, [action.id]);
  }
  t.same(await history(api, a.id), ['null>received', 'received>planned', 'planned>actioned']);
  const [closing] = await api.app.db
    .select()
    .from(feedbackTransitions)
    .where(eq(feedbackTransitions.toStatus, 'actioned'))
    .limit(1);
  t.equal(closing?.actionId, action.id, 'the history names the action that closed the item');

  const twice = await l.complete(action.id);
  t.equal(twice.statusCode, 409);
  t.equal(twice.json().type, 'urn:wedid:problem:illegal-transition');
  t.match(twice.json().detail, /Only a planned or in-progress action can be completed/);
  const cancelDone = await l.cancel(action.id);
  t.equal(cancelDone.statusCode, 409);
  t.match(cancelDone.json().detail, /completed action happened and cannot be cancelled/);

  const events = await api.app.db.select().from(auditEvents).where(eq(auditEvents.entityId, action.id));
  t.same(
    events.map((event) => event.action),
    ['created', 'feedback_linked', 'completed'],
    'every action change is in the audit trail',
  );
  const statusEvents = await api.app.db.select().from(auditEvents).where(eq(auditEvents.entityId, a.id));
  t.ok(statusEvents.some((event) => event.action === 'status_changed' && event.details.to === 'actioned'));
  t.notOk(JSON.stringify(statusEvents).includes('Private words'), 'no private text in the audit trail');
});

t.test(
  'linking to a completed action closes an open item; closed items and cancelled actions refuse links',
  async (t) => {
    const api = await buildTestApp(t);
    const { ward } = await createTree(api);
    const l = loop(api);
    const first = await l.feedback(ward.id);
    const late = await l.feedback(ward.id);
    const action = await l.closeWithAction(ward.id, [first.id]);

    const linkLate = await l.link(action.id, late.id);
    t.equal(linkLate.statusCode, 200);
    t.equal(await l.status(late.id), 'actioned', 'the completed action already answers it');

    const other = await l.action({ unitId: ward.id });
    const closedLink = await l.link(other.id, first.id);
    t.equal(closedLink.statusCode, 409);
    t.match(closedLink.json().detail, /closed \(actioned\); reopen it/);

    const cancelled = await l.action({ unitId: ward.id });
    t.equal((await l.cancel(cancelled.id)).statusCode, 200);
    const fresh = await l.feedback(ward.id);
    const toCancelled = await l.link(cancelled.id, fresh.id);
    t.equal(toCancelled.statusCode, 409);
    t.match(toCancelled.json().detail, /cancelled action takes no new feedback/);
    t.equal((await l.cancel(cancelled.id)).statusCode, 409, 'cancelling twice is refused');
    t.equal((await l.complete(cancelled.id)).statusCode, 409, 'completing a cancelled action is refused');
    t.equal(await l.status(fresh.id), 'received');
  },
);

t.test('cancelling sends items back to in_review unless another live action holds them', async (t) => {
  const api = await buildTestApp(t);
  const { ward, site } = await createTree(api);
  const l = loop(api);
  const alone = await l.feedback(ward.id);
  const shared = await l.feedback(ward.id);
  const first = await l.action({ unitId: ward.id, feedbackIds: [alone.id, shared.id] });
  const second = await l.action({ unitId: site.id, status: 'in_progress', feedbackIds: [shared.id] });

  const cancelled = await l.cancel(first.id, 'No budget this year');
  t.equal(cancelled.statusCode, 200);
  t.equal(cancelled.json().status, 'cancelled');
  t.equal(cancelled.json().cancelReason, 'No budget this year');
  t.same(cancelled.json().feedbackIds.sort(), [alone.id, shared.id].sort(), 'links stay as the record');
  t.equal(await l.status(alone.id), 'in_review');
  t.equal(await l.status(shared.id), 'planned', 'still held by the second, live action');
  const [back] = await api.app.db
    .select()
    .from(feedbackTransitions)
    .where(eq(feedbackTransitions.toStatus, 'in_review'));
  t.equal(back?.reason, 'No budget this year', 'the cancellation reason is in the item history');
  t.equal(back?.actionId, first.id);

  const unlinkCancelled = await l.unlink(first.id, alone.id);
  t.equal(unlinkCancelled.statusCode, 409, 'a cancelled action’s links are its record');

  t.equal((await l.complete(second.id)).statusCode, 200);
  t.equal(await l.status(shared.id), 'actioned');
  t.equal(await l.status(alone.id), 'in_review', 'completing another action leaves unlinked items alone');
});

t.test('unlink: planned item back to in_review; completed action keeps the item it closed', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);
  const item = await l.feedback(ward.id);
  const twoLive = await l.feedback(ward.id);
  const a = await l.action({ unitId: ward.id, feedbackIds: [item.id, twoLive.id] });
  const b = await l.action({ unitId: ward.id, feedbackIds: [twoLive.id] });

  const unlinked = await l.unlink(a.id, item.id);
  t.equal(unlinked.statusCode, 200);
  t.same(unlinked.json().feedbackIds, [twoLive.id]);
  t.equal(await l.status(item.id), 'in_review');
  t.equal((await l.unlink(a.id, item.id)).statusCode, 404, 'unlinking what is not linked: 404');

  t.equal((await l.unlink(a.id, twoLive.id)).statusCode, 200);
  t.equal(await l.status(twoLive.id), 'planned', 'still linked to b');

  t.equal((await l.complete(b.id)).statusCode, 200);
  const refused = await l.unlink(b.id, twoLive.id);
  t.equal(refused.statusCode, 409);
  t.match(refused.json().detail, /reopen the item/);
  t.equal((await l.reopen(twoLive.id)).statusCode, 200);
  t.equal(await l.status(twoLive.id), 'in_review');
  const afterReopen = await l.unlink(b.id, twoLive.id);
  t.equal(afterReopen.statusCode, 200, 'once reopened, the wrong link can be removed');
  t.equal(await l.status(twoLive.id), 'in_review');
});

t.test('referredTo is public text: plain, trimmed, non-empty, and shown on the tracking page', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);
  const item = await l.feedback(ward.id, { kind: 'concern' });
  for (const referredTo of ['Estates\u0007 team', 'Estates\u001b[31m team', '   ', 'x'.repeat(201)]) {
    const refused = await l.decide(item.id, { reasonCode: 'referred_elsewhere', referredTo });
    t.equal(refused.statusCode, 400, JSON.stringify(referredTo));
    t.equal(refused.json().errors[0].path, '/referredTo');
  }
  t.equal(await l.status(item.id), 'received', 'nothing was decided');
  const decided = await l.decide(item.id, { reasonCode: 'referred_elsewhere', referredTo: '  Estates team ' });
  t.equal(decided.json().decision.referredTo, 'Estates team');
  const reference = await l.item(item.id);
  const tracked = await api.request({ method: 'GET', url: `/v1/track/${reference.reference}`, key: null });
  t.equal(tracked.json().answer.decision.referredTo, 'Estates team');
});

t.test('decisions: open items close as not_actioned; planned, closed and compliment items are refused', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);
  const item = await l.feedback(ward.id, { kind: 'suggestion' });

  const decided = await l.decide(item.id, { reasonCode: 'referred_elsewhere', referredTo: 'Estates team' });
  t.equal(decided.statusCode, 200);
  t.equal(decided.json().status, 'not_actioned');
  t.ok(decided.json().closedAt);
  t.equal(decided.json().decision.reasonCode, 'referred_elsewhere');
  t.equal(decided.json().decision.referredTo, 'Estates team');
  t.equal(decided.headers.etag, `"v${decided.json().version}"`);

  const again = await l.decide(item.id);
  t.equal(again.statusCode, 409);
  t.match(again.json().detail, /already closed \(not_actioned\); reopen it/);

  const empty = await l.decide(item.id, { explanation: '   ' });
  t.equal(empty.statusCode, 400, 'an empty explanation is refused');
  const tooLong = await l.decide(item.id, { explanation: 'x'.repeat(1001) });
  t.equal(tooLong.statusCode, 400);

  const planned = await l.feedback(ward.id);
  const action = await l.action({ unitId: ward.id, feedbackIds: [planned.id] });
  const onPlanned = await l.decide(planned.id);
  t.equal(onPlanned.statusCode, 409);
  t.match(onPlanned.json().detail, /unlink it first/);
  t.equal((await l.unlink(action.id, planned.id)).statusCode, 200);
  t.equal((await l.decide(planned.id)).statusCode, 200, 'after unlinking, a decision can be recorded');

  const thanks = await l.feedback(ward.id, { kind: 'compliment' });
  const praise = await l.decide(thanks.id);
  t.equal(praise.statusCode, 409);
  t.match(praise.json().detail, /compliment closes through an action/);

  const received = await l.feedback(ward.id);
  const staleTag = await l.send(
    'POST',
    `/v1/feedback/${received.id}/decision`,
    {
      reasonCode: 'other',
      explanation: 'Because',
    },
    { 'if-match': '"v999"' },
  );
  t.equal(staleTag.statusCode, 412, 'a stale If-Match is refused');

  const unknown = await l.decide('00000000-0000-4000-8000-000000000000');
  t.equal(unknown.statusCode, 404);
});

t.test('a list page shows each item as its own read does: current decision and linked actions', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);
  const declined = await l.feedback(ward.id);
  const linked = await l.feedback(ward.id);
  const open = await l.feedback(ward.id);
  await l.decide(declined.id, { reasonCode: 'referred_elsewhere', referredTo: 'Estates team' });
  const action = await l.action({ unitId: ward.id, feedbackIds: [linked.id] });

  const page = await l.send('GET', `/v1/feedback?unitId=${ward.id}&limit=50`);
  t.equal(page.statusCode, 200);
  const listed = new Map(
    (page.json().items as { id: string; decision: unknown; actionIds: string[] }[]).map((item) => [item.id, item]),
  );
  for (const id of [declined.id, linked.id, open.id]) {
    const item = await l.item(id);
    t.same(listed.get(id)?.decision, item.decision, "the listed decision is the item's current one");
    t.same(listed.get(id)?.actionIds, item.actionIds);
  }
  t.match(listed.get(declined.id)?.decision, { reasonCode: 'referred_elsewhere', referredTo: 'Estates team' });
  t.same(listed.get(linked.id)?.actionIds, [action.id]);
  t.equal(listed.get(open.id)?.decision, null);
});

t.test('reopen keeps history: decision superseded, transitions kept, open items refused', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api);
  const item = await l.feedback(ward.id);
  t.equal((await l.reopen(item.id)).statusCode, 409, 'reopening an open item is refused');
  const openReopen = await l.reopen(item.id);
  t.match(openReopen.json().detail, /Only a closed item/);

  await l.decide(item.id);
  const reopened = await l.reopen(item.id, 'New information from the carer');
  t.equal(reopened.statusCode, 200);
  t.equal(reopened.json().status, 'in_review');
  t.equal(reopened.json().closedAt, null);
  t.equal(reopened.json().decision, null, 'no current decision');
  const all = await api.app.db.select().from(decisions).where(eq(decisions.feedbackId, item.id));
  t.equal(all.length, 1, 'the old decision is kept');
  t.ok(all[0]?.supersededAt, 'and marked superseded');

  const second = await l.decide(item.id, { reasonCode: 'no_resources', explanation: 'No budget this year' });
  t.equal(second.statusCode, 200);
  t.equal(second.json().decision.reasonCode, 'no_resources');
  t.same(await history(api, item.id), [
    'null>received',
    'received>not_actioned',
    'not_actioned>in_review',
    'in_review>not_actioned',
  ]);
  const [reopenRow] = await api.app.db
    .select()
    .from(feedbackTransitions)
    .where(eq(feedbackTransitions.toStatus, 'in_review'));
  t.equal(reopenRow?.reason, 'New information from the carer');

  // An actioned item reopens too, and can then be planned and closed again by a new action.
  const other = await l.feedback(ward.id);
  const first = await l.closeWithAction(ward.id, [other.id]);
  t.equal((await l.reopen(other.id)).statusCode, 200);
  const redo = await l.action({ unitId: ward.id, feedbackIds: [other.id] });
  t.equal(await l.status(other.id), 'planned');
  await l.complete(redo.id, 'We changed the menu again');
  const final = await l.item(other.id);
  t.equal(final.status, 'actioned');
  t.same(final.actionIds.sort(), [first.id, redo.id].sort());

  const events = await api.app.db.select().from(auditEvents).where(eq(auditEvents.entityId, item.id));
  t.ok(events.some((event) => event.action === 'reopened'));
  t.notOk(JSON.stringify(events).includes('New information'), 'the free-text reason stays out of the audit trail');
});

t.test('an action and its items share a unit subtree; scoped keys only reach their units', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard, site } = await createTree(api);
  const l = loop(api);
  const willowItem = await l.feedback(ward.id);
  const ashItem = await l.feedback(otherWard.id);

  const sibling = await l.send('POST', '/v1/actions', { unitId: ward.id, title: 'X', feedbackIds: [ashItem.id] });
  t.equal(sibling.statusCode, 400);
  t.equal(sibling.json().errors[0].path, '/feedbackIds/0');
  t.match(sibling.json().detail, /outside the action’s unit subtree/);

  const wardAction = await l.action({ unitId: ward.id });
  const crossLink = await l.link(wardAction.id, ashItem.id);
  t.equal(crossLink.statusCode, 400);
  t.equal(await l.status(ashItem.id), 'received');

  const siteAction = await l.action({ unitId: site.id, feedbackIds: [willowItem.id, ashItem.id] });
  t.equal(siteAction.feedbackIds.length, 2, 'a site action answers items from its wards');

  const ashStaff = loop(api, await api.createKey('staff', otherWard.id));
  t.equal((await ashStaff.send('GET', `/v1/actions/${wardAction.id}`)).statusCode, 404, 'out of scope: not found');
  t.equal((await ashStaff.complete(siteAction.id)).statusCode, 404, 'a ward key cannot complete a site action');
  t.equal((await ashStaff.decide(willowItem.id)).statusCode, 404);
  const ashAction = await ashStaff.send('POST', '/v1/actions', { unitId: ward.id, title: 'X' });
  t.equal(ashAction.statusCode, 400, 'a scoped key cannot create actions outside its scope');

  const auditor = loop(api, await api.createKey('auditor'));
  t.equal((await auditor.send('GET', `/v1/actions/${siteAction.id}`)).statusCode, 200, 'auditors read actions');
  t.equal((await auditor.complete(siteAction.id)).statusCode, 403, 'but change nothing');
  t.equal((await auditor.decide(willowItem.id)).statusCode, 403);
  const intake = loop(api, await api.createKey('intake'));
  t.equal((await intake.send('GET', '/v1/actions')).statusCode, 403);
});
