import { sql } from 'drizzle-orm';
import t from 'tap';
import type { Database } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/rows.js';
import { buildTestApp, createTree } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';
import { refusal } from '../helpers/refusal.js';

/**
 * Every (moment, item) pair where the spells disagree with the history: the status, start and
 * action of the last transition at or before T (ties by insertion order) against the one spell
 * holding at T. Moments: each transition's time, a microsecond either side, and long before and
 * after. Also returns how many pairs were compared, so an empty history cannot pass unnoticed.
 */
async function disagreements(db: Database): Promise<{ compared: number; wrong: unknown[] }> {
  const moments = sql`(
    select distinct m from feedback_transitions t,
      lateral (values (t.at), (t.at - interval '1 microsecond'), (t.at + interval '1 microsecond')) v(m)
    union select '2000-01-01'::timestamptz union select '2100-01-01'::timestamptz
  ) ms(m)`;
  const pairs = sql`
    select ms.m, f.id, h.to_status, h.at, h.action_id, s.status, s.from_at, s.action_id as spell_action,
      (select count(*) from feedback_status_spells c where c.feedback_id = f.id
        and c.from_at <= ms.m and (c.to_at is null or c.to_at > ms.m)) as holding
    from ${moments}
    cross join feedback_items f
    left join lateral (
      select t.to_status, t.at, t.action_id from feedback_transitions t
      where t.feedback_id = f.id and t.at <= ms.m order by t.at desc, t.id desc limit 1
    ) h on true
    left join feedback_status_spells s on s.feedback_id = f.id and s.from_at <= ms.m
      and (s.to_at is null or s.to_at > ms.m)`;
  const [counted] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from (${pairs}) p`);
  const wrong = await rowsOf(
    db,
    sql`select * from (${pairs}) p
      where p.holding > 1 or p.to_status is distinct from p.status or p.at is distinct from p.from_at
        or p.action_id is distinct from p.spell_action`,
  );
  return { compared: Number(counted?.n ?? 0), wrong };
}

t.test('the status spells stay in step with the transitions through every lifecycle move', async (t) => {
  const api = await buildTestApp(t);
  const { ward, site } = await createTree(api);
  const staff = await api.createKey('staff');
  const l = loop(api, staff);
  const db = api.app.db;
  const items = [];
  for (let i = 0; i < 6; i++) items.push(await l.feedback(ward.id, { kind: i === 0 ? 'compliment' : 'concern' }));
  const [a, b, c, d, e, f] = items.map((item) => item.id) as [string, string, string, string, string, string];

  // A fixed, varied sequence: planned by an action, actioned, closed by a decision, reopened and
  // closed again, unlinked back to review, erased while open and after closing.
  const first = await l.action({ unitId: site.id, feedbackIds: [a, b] });
  t.equal((await l.complete(first.id)).statusCode, 200);
  t.equal((await l.decide(c)).statusCode, 200);
  t.equal((await l.reopen(c)).statusCode, 200);
  const second = await l.action({ unitId: ward.id, feedbackIds: [c, d] });
  t.equal((await l.unlink(second.id, d)).statusCode, 200);
  t.equal((await l.complete(second.id)).statusCode, 200);
  t.equal((await l.reopen(a)).statusCode, 200);
  t.equal((await l.decide(d)).statusCode, 200);
  t.equal((await api.request({ method: 'POST', url: `/v1/feedback/${e}/erase` })).statusCode, 200);
  t.equal((await api.request({ method: 'POST', url: `/v1/feedback/${b}/erase` })).statusCode, 200);
  t.equal(await l.status(a), 'in_review');
  t.equal(await l.status(f), 'received');

  const { compared, wrong } = await disagreements(db);
  t.ok(compared > 100, `many moments compared (${compared})`);
  t.same(wrong, [], 'at every moment each item holds exactly the status its history gives');

  const spellsOf = async (id: string) =>
    (
      await rowsOf<{ status: string; current: boolean }>(
        db,
        sql`select status, to_at is null as current from feedback_status_spells
          where feedback_id = ${id} order by from_at`,
      )
    ).map((row) => `${row.status}${row.current ? '*' : ''}`);
  t.same(await spellsOf(c), ['received', 'not_actioned', 'in_review', 'planned', 'actioned*']);
  t.same(await spellsOf(b), ['received', 'planned', 'actioned*'], 'erasure keeps the spells, as it keeps the history');
});

t.test('a transition recorded late but timed earlier, and ties, are placed as the reports order them', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const l = loop(api, await api.createKey('staff'));
  const item = await l.feedback(ward.id);
  const db = api.app.db;
  // As when a transaction that began earlier commits later: its time precedes a recorded move.
  await db.execute(sql`insert into feedback_transitions (feedback_id, from_status, to_status, at)
    values (${item.id}, 'received', 'in_review', now() + interval '1 hour')`);
  await db.execute(sql`insert into feedback_transitions (feedback_id, from_status, to_status, at)
    values (${item.id}, 'in_review', 'planned', now() + interval '30 minutes'),
      (${item.id}, 'planned', 'in_review', now() + interval '30 minutes')`);
  const { wrong } = await disagreements(db);
  t.same(wrong, []);
  const statuses = await rowsOf<{ status: string }>(
    db,
    sql`select status from feedback_status_spells where feedback_id = ${item.id} order by from_at`,
  );
  t.same(
    statuses.map((row) => row.status),
    ['received', 'in_review', 'in_review'],
    'the move overtaken at the same instant lasts no time',
  );
});

t.test('the database refuses spells that overlap or end before they begin', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  const item = await loop(api, await api.createKey('staff')).feedback(ward.id);
  const db = api.app.db;
  const [current] = await rowsOf<{ from_at: string }>(
    db,
    sql`select from_at::text from feedback_status_spells where feedback_id = ${item.id}`,
  );
  const insert = (from: string, to: string | null) =>
    refusal(() =>
      db.execute(sql`insert into feedback_status_spells (feedback_id, from_at, to_at, status)
        values (${item.id}, ${current?.from_at}::timestamptz + ${from}::interval,
          ${current?.from_at}::timestamptz + ${to}::interval, 'planned')`),
    );
  t.match(await insert('1 day', null), /feedback_status_spells_no_overlap/, 'a second current spell');
  t.match(await insert('-1 day', '1 day'), /feedback_status_spells_no_overlap/, 'one spanning the current one');
  t.match(await insert('2 days', '1 day'), /feedback_status_spells_order_check/, 'one ending before it begins');
  t.match(await insert('0 seconds', null), /feedback_status_spells_feedback_id_from_at_pk/, 'two from one moment');
  t.equal(await insert('-2 days', '-1 day'), 'accepted', 'a spell before it, overlapping nothing, is allowed');
  t.match(
    await refusal(() =>
      db.execute(sql`update feedback_status_spells set to_at = ${current?.from_at}::timestamptz + interval '1 hour'
        where feedback_id = ${item.id} and to_at is not null`),
    ),
    /feedback_status_spells_no_overlap/,
    'stretching the earlier spell into the current one',
  );
});
