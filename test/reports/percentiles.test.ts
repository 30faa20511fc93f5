import { sql } from 'drizzle-orm';
import t from 'tap';
import { rowsOf } from '../../src/db/rows.js';
import { buildTestApp, createTree } from '../helpers/app.js';
import { type ItemSpec, insertItems } from './fixtures.js';

/**
 * The report works its percentiles out from sorted microsecond spans instead of calling
 * percentile_cont on every item's days: this holds it to percentile_cont itself, over the history
 * read independently, with awkward inputs: ties, a single closed item, odd and even counts,
 * closings a millisecond apart and items closed, reopened and closed again.
 */
t.test('closure percentiles are exactly percentile_cont of the days to close and to acknowledge', async (t) => {
  const api = await buildTestApp(t);
  const { ward, otherWard, site } = await createTree(api);
  const start = Date.parse('2026-03-01T08:00:00.000Z');
  const at = (ms: number) => new Date(ms).toISOString();
  // A fixed pseudo-random walk, so a failure is reproducible.
  let seed = 7;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const specs: ItemSpec[] = [];
  for (let i = 0; i < 61; i++) {
    const received = start + Math.floor(next() * 40 * 86_400_000);
    // Spans in whole days, in milliseconds, and repeated ones (ties).
    const span = i % 5 === 0 ? 3 * 86_400_000 : i % 7 === 0 ? 1 + i : Math.floor(next() * 30 * 86_400_000);
    const review = received + Math.floor(span / 3);
    const unitId = i % 3 === 0 ? otherWard.id : ward.id;
    const closedAgain = i % 11 === 0;
    specs.push({
      unitId,
      receivedAt: at(received),
      history:
        i % 4 === 3
          ? [{ to: 'in_review', at: at(review) }]
          : closedAgain
            ? [
                { to: 'not_actioned', at: at(received + span) },
                { to: 'in_review', at: at(received + span + 1000) },
                { to: 'not_actioned', at: at(received + span + 86_400_000 + 7) },
              ]
            : [{ to: 'not_actioned', at: at(received + span) }],
    });
  }
  // A site with exactly one closed item: the percentile is that item's days.
  specs.push({
    unitId: site.id,
    receivedAt: at(start),
    history: [{ to: 'not_actioned', at: at(start + 123_456_789) }],
  });
  await insertItems(api.app.db, specs);

  const asOf = '2026-06-01T00:00:00.000Z';
  const response = await api.request({
    method: 'GET',
    url: `/v1/reports/closure?from=2026-01-01&to=2026-07-01&asOf=${asOf}&groupBy=unit`,
  });
  t.equal(response.statusCode, 200);
  const report = response.json() as {
    totals: Record<string, unknown>;
    groups: { key: string; medianDaysToClose: number; p90DaysToClose: number; medianDaysToAcknowledge: number }[];
  };

  // The definition, straight from the history: the last move at or before asOf, its time less receipt.
  const expected = await rowsOf<{ key: string | null; median: number; p90: number; ack: number }>(
    api.app.db,
    sql`with last as (
        select distinct on (t.feedback_id) t.feedback_id, t.to_status, t.at
        from feedback_transitions t where t.at <= ${asOf}::timestamptz
        order by t.feedback_id, t.at desc, t.id desc
      ),
      days as (
        select f.unit_id, extract(epoch from (l.at - f.received_at)) / 86400.0 as close_days,
          extract(epoch from (f.acknowledged_at - f.received_at)) / 86400.0 as ack_days,
          l.to_status in ('actioned', 'not_actioned') as closed
        from feedback_items f join last l on l.feedback_id = f.id
      )
      select unit_id::text as key,
        round((percentile_cont(0.5) within group (order by close_days) filter (where closed))::numeric, 2)::float8 as median,
        round((percentile_cont(0.9) within group (order by close_days) filter (where closed))::numeric, 2)::float8 as p90,
        round((percentile_cont(0.5) within group (order by ack_days))::numeric, 2)::float8 as ack
      from days group by grouping sets ((), (unit_id))`,
  );
  t.equal(expected.length, 4, 'totals and three units');
  for (const row of expected) {
    const figures = row.key === null ? report.totals : report.groups.find((group) => group.key === row.key);
    t.ok(figures, `a row for ${row.key ?? 'the totals'}`);
    t.same(
      {
        median: figures?.medianDaysToClose,
        p90: figures?.p90DaysToClose,
        ack: figures?.medianDaysToAcknowledge,
      },
      { median: row.median, p90: row.p90, ack: row.ack },
      `percentiles of ${row.key ?? 'the totals'}`,
    );
  }
});
