import { sql } from 'drizzle-orm';
import t from 'tap';
import { rowsOf } from '../../src/db/rows.js';
import { getTrackingView } from '../../src/modules/tracking/tracking.service.js';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import { recordFeedback } from '../helpers/fixtures.js';

const marker = 'SECRET-MARKER-7f3a';

const post = (api: TestApp, unitId: string, extra: Record<string, unknown> = {}) =>
  recordFeedback(api, unitId, {
    text: `${marker} my private story`,
    contact: { name: `${marker} name`, email: 'secret-marker@example.org', phone: '07700 900123' },
    externalRef: { system: 'datix', id: `${marker}-${Math.random()}` },
    equality: { religion: 'sikh' },
    ...extra,
  });

/** Closes or plans an item the way the lifecycle module does, written directly so this test stands alone. */
async function linkAction(api: TestApp, item: { id: string; unitId: string }, status: 'planned' | 'completed') {
  await api.app.db.transaction(async (tx) => {
    const completed = status === 'completed';
    const [action] = await rowsOf<{ id: string }>(
      tx,
      sql`
        insert into actions (unit_id, title, description, status, planned_for, outcome, completed_at)
        values (${item.unitId}, 'Warm plates at supper', 'Plates kept in a warmer', ${status}, '2026-03-01',
          ${completed ? 'Suppers now arrive hot' : null}, ${completed ? sql`now()` : null})
        returning id`,
    );
    await tx.execute(sql`insert into action_feedback (action_id, feedback_id) values (${action?.id}, ${item.id})`);
    await tx.execute(sql`update feedback_items set status = ${completed ? 'actioned' : 'planned'},
      closed_at = ${completed ? sql`now()` : null} where id = ${item.id}`);
  });
}

t.test('tracking shows status in plain words and the public answer, nothing private', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const track = (reference: string) => api.request({ method: 'GET', url: `/v1/track/${reference}`, key: null });

  const fresh = await post(api, ward.id, { youSaid: 'Supper is cold', publishConsent: false });
  const received = await track(fresh.reference);
  t.equal(received.statusCode, 200);
  t.equal(received.headers['cache-control'], 'no-store');
  t.match(received.json(), {
    reference: fresh.reference,
    status: 'received',
    statusText: 'We have received your feedback',
    unitName: 'Willow Ward',
    youSaid: null,
    answer: null,
    closedAt: null,
  });
  t.equal(received.json().youSaid, null, 'youSaid only with consent');
  const loose = fresh.reference.replace('-', '').toLowerCase();
  t.equal((await track(loose)).json().reference, fresh.reference, 'any case, hyphen optional');
  t.equal((await track('ZZZZ-ZZZZ')).statusCode, 404);
  t.equal((await track('not-a-ref!')).statusCode, 404, 'malformed and unknown get the same answer');
  t.equal((await track('zzzzzzzz')).json().type, (await track('K7MQ-3XR')).json().type);

  const consented = await post(api, ward.id, { youSaid: 'Supper is cold', publishConsent: true });
  await api.request({
    method: 'PATCH',
    url: `/v1/feedback/${consented.id}`,
    payload: { kind: 'concern' },
    headers: { 'if-match': '*' },
  });
  t.match((await track(consented.reference)).json(), {
    status: 'in_review',
    statusText: 'We are looking at your feedback',
    youSaid: 'Supper is cold',
  });

  await linkAction(api, consented, 'planned');
  t.match((await track(consented.reference)).json(), {
    status: 'planned',
    statusText: 'We are planning to act on it',
    answer: {
      type: 'we_are_doing',
      actions: [{ title: 'Warm plates at supper', plannedFor: '2026-03-01', outcome: null, completedAt: null }],
      decision: null,
    },
  });

  const done = await post(api, ward.id);
  await linkAction(api, done, 'completed');
  const actioned = (await track(done.reference)).json();
  t.match(actioned, {
    status: 'actioned',
    statusText: 'We did something about it',
    answer: { type: 'we_did', actions: [{ title: 'Warm plates at supper', outcome: 'Suppers now arrive hot' }] },
  });
  t.ok(actioned.closedAt);

  const declined = await post(api, ward.id);
  await api.app.db.transaction(async (tx) => {
    await tx.execute(sql`insert into decisions (feedback_id, reason_code, explanation, referred_to)
      values (${declined.id}, 'outside_our_control', 'The kitchen is run by the council', 'Council catering')`);
    await tx.execute(
      sql`update feedback_items set status = 'not_actioned', closed_at = now() where id = ${declined.id}`,
    );
  });
  t.match((await track(declined.reference)).json(), {
    status: 'not_actioned',
    statusText: 'We couldn’t act on it — here is why',
    answer: {
      type: 'we_couldnt',
      actions: [],
      decision: {
        reasonCode: 'outside_our_control',
        explanation: 'The kitchen is run by the council',
        referredTo: 'Council catering',
      },
    },
  });

  // Nothing private in any tracking answer: no text, contact, ids, external refs or equality answers.
  const ids = (await api.sql(sql`select id::text as id, unit_id::text as unit from feedback_items`)).flatMap((row) => [
    String(row.id),
    String(row.unit),
  ]);
  for (const item of [fresh, consented, done, declined]) {
    const body = (await track(item.reference)).body;
    t.notMatch(body, /SECRET-MARKER|secret-marker|07700|sikh|datix/i, `${item.reference}: no private data`);
    for (const id of ids) t.notOk(body.includes(id), 'no internal ids');
    t.same(Object.keys(JSON.parse(body)).sort(), [
      'answer',
      'closedAt',
      'dueAt',
      'receivedAt',
      'reference',
      'status',
      'statusText',
      'unitCode',
      'unitName',
      'youSaid',
    ]);
  }

  const view = await getTrackingView(api.app.db, done.reference.toLowerCase());
  t.equal(view.status, 'actioned', 'the service function serves the HTML page too');
  const missing = await getTrackingView(api.app.db, 'nope').catch((error: { status?: number }) => error);
  t.equal((missing as { status?: number }).status, 404, 'an unknown reference is not found');
});
