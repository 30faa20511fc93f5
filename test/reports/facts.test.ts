import { sql } from 'drizzle-orm';
import t from 'tap';
import { rowsOf } from '../../src/db/rows.js';
import { buildTestApp, createTree, type TestApp } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';
import { refusal } from '../helpers/refusal.js';

/**
 * Every item whose report facts differ from what feedback_items and its current spell say now
 * (feedback_facts_of, the definition the migration backfilled from), both ways, with the stored
 * spans against the same spans worked out afresh; and how many items there are, so an empty table
 * cannot pass unnoticed.
 */
async function drift(api: TestApp): Promise<{ items: number; wrong: unknown[] }> {
  const db = api.app.db;
  const [counted] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from feedback_items`);
  const wrong = await rowsOf(
    db,
    sql`with expected as (
        select * from feedback_facts_of(array(select id from feedback_items))
      ), stored as (
        select feedback_id, unit_id, received_at, due_at, kind, channel, submitter_role, themes, acknowledge_by,
          acknowledged_at, status, status_from, action_id, fft_rating, collection_mode, fft_at from feedback_facts
      )
      (select 'missing' as why, * from (select * from expected except select * from stored) m)
      union all
      (select 'stale', * from (select * from stored except select * from expected) s)
      union all
      (select 'span', f.feedback_id, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null
        from feedback_facts f
        where f.status_span_us is distinct from (extract(epoch from f.status_from - f.received_at) * 1000000)::int8
          or f.acknowledge_span_us is distinct from (extract(epoch from f.acknowledged_at - f.received_at) * 1000000)::int8)`,
  );
  return { items: Number(counted?.n ?? 0), wrong };
}

t.test('the report facts stay in step with the items and their spells through every write', async (t) => {
  const api = await buildTestApp(t);
  const { ward, site } = await createTree(api);
  const staff = await api.createKey('staff');
  const l = loop(api, staff);
  const inStep = async (step: string, items: number) => {
    const { items: counted, wrong } = await drift(api);
    t.equal(counted, items, `${step}: ${items} items`);
    t.same(wrong, [], `${step}: the facts say what the items and spells say`);
  };

  const a = await l.feedback(ward.id, {
    kind: 'concern',
    themes: ['food'],
    contact: { email: 'sam@example.org', wantsReply: true },
  });
  const b = await l.feedback(ward.id, { kind: 'complaint', fftRating: 'poor' });
  await inStep('single intake', 2);

  const batch = await api.request({
    method: 'POST',
    url: '/v1/feedback/batch',
    key: staff,
    payload: {
      items: [
        {
          unitId: ward.id,
          text: 'Batch one',
          kind: 'compliment',
          channel: 'kiosk',
          fftRating: 'very_good',
          collectionMode: 'kiosk',
        },
        { unitId: site.id, text: 'Batch two', themes: ['staff_attitude'] },
        { unitId: ward.id, text: 'Batch three', submitterRole: 'carer' },
      ],
    },
  });
  t.equal(batch.statusCode, 200, batch.body);
  const [c, d] = (batch.json().results as { id: string }[]).map((row) => row.id) as [string, string];
  await inStep('batch intake', 5);

  const edited = await api.request({
    method: 'PATCH',
    url: `/v1/feedback/${b.id}`,
    key: staff,
    payload: { kind: 'concern', channel: 'pals', themes: ['food', 'visiting'], submitterRole: 'family' },
    headers: { 'if-match': '"v1"' },
  });
  t.equal(edited.statusCode, 200, edited.body);
  await inStep('a triage edit', 5);

  const rerated = await api.request({
    method: 'PATCH',
    url: `/v1/feedback/${b.id}`,
    key: staff,
    payload: { fftRating: 'good', collectionMode: 'paper' },
    headers: { 'if-match': '"v2"' },
  });
  t.equal(rerated.statusCode, 200, rerated.body);
  await inStep('a corrected FFT rating', 5);

  const action = await l.action({ unitId: ward.id, feedbackIds: [a.id, b.id, c] });
  await inStep('planned by an action (acknowledged by the first move)', 5);
  t.equal((await l.complete(action.id)).statusCode, 200);
  t.equal((await l.decide(d)).statusCode, 200);
  await inStep('actioned and not actioned', 5);

  // As when a transaction that began earlier commits later: a move timed before the recorded close.
  await api.sql(sql`insert into feedback_transitions (feedback_id, from_status, to_status, at)
    values (${c}, 'planned', 'in_review', (select at from feedback_transitions where feedback_id = ${c}
      order by at desc, id desc limit 1) - interval '1 minute')`);
  await inStep('a transition timed before an existing one', 5);
  const [late] = await rowsOf<{ status: string }>(
    api.app.db,
    sql`select status from feedback_facts where feedback_id = ${c}`,
  );
  t.equal(late?.status, 'actioned', 'the later close still holds');

  const no = await api.request({
    method: 'POST',
    url: `/v1/track/${a.reference}/follow-up`,
    payload: { answer: 'no' },
    key: null,
    remoteAddress: '192.0.2.7',
  });
  t.equal(no.statusCode, 201, no.body);
  t.equal(no.json().reopened, true);
  await inStep('reopened by a follow-up answer', 5);

  t.equal((await l.reopen(d)).statusCode, 200);
  await inStep('reopened by staff', 5);

  const before = await rowsOf(api.app.db, sql`select * from feedback_facts where feedback_id = ${b.id}`);
  t.equal((await api.request({ method: 'POST', url: `/v1/feedback/${b.id}/erase` })).statusCode, 200);
  t.equal((await api.request({ method: 'POST', url: `/v1/feedback/${a.id}/erase` })).statusCode, 200);
  await inStep('erasure', 5);
  t.same(
    await rowsOf(api.app.db, sql`select * from feedback_facts where feedback_id = ${b.id}`),
    before,
    'erasure leaves the facts as they were, so the figures survive it',
  );
});

t.test('the database refuses any write to the facts but its triggers', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const item = await loop(api, await api.createKey('staff')).feedback(ward.id);
  const refused = /feedback_facts_written_by_triggers/;
  t.match(
    await refusal(() => api.sql(sql`update feedback_facts set status = 'actioned' where feedback_id = ${item.id}`)),
    refused,
    'an update',
  );
  t.match(
    await refusal(() => api.sql(sql`delete from feedback_facts where feedback_id = ${item.id}`)),
    refused,
    'a delete',
  );
  t.match(
    await refusal(() =>
      api.sql(sql`insert into feedback_facts (feedback_id, unit_id, received_at, due_at, submitter_role, themes)
        select gen_random_uuid(), unit_id, received_at, due_at, submitter_role, themes from feedback_facts`),
    ),
    refused,
    'an insert',
  );
  t.match(await refusal(() => api.sql(sql`truncate feedback_facts`)), refused, 'a truncate');
});
