import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { reportRows } from './reports.repository.js';
import type { RecommendationGrouping } from './reports-recommendations.schemas.js';

/** Which recommendations a report counts; every bound is applied inside PostgreSQL. */
export interface RecommendationPopulation {
  from: Date;
  to: Date;
  asOf: Date;
  /** The subtree root; null for everything. */
  unitId: string | null;
}

export interface RecommendationCountRow {
  key: string | null;
  unitCode: string | null;
  unitName: string | null;
  made: number;
  accepted: number;
  declined: number;
  done: number;
  open: number;
  medianDaysToResponse: number | null;
}

const ts = (date: Date): SQL => sql`${date.toISOString()}::timestamptz`;

/**
 * The recommendations made in [from, to) and not after `asOf`, in the subtree, each with the status
 * it held at `asOf` (its newest transition at or before it) and the time of its first answer at or
 * before `asOf` (its first transition out of `proposed`).
 */
function population(p: RecommendationPopulation): SQL {
  const filters: SQL[] = [
    sql`r.created_at >= ${ts(p.from)}`,
    sql`r.created_at < ${ts(p.to)}`,
    sql`r.created_at <= ${ts(p.asOf)}`,
  ];
  if (p.unitId) filters.push(sql`r.unit_id in (select u.id from units u where u.path @> array[${p.unitId}]::uuid[])`);
  return sql`
    counted as (
      select r.id, r.unit_id, r.created_at, s.to_status as status, a.at as answered_at
      from recommendations r
      join lateral (
        select h.to_status from recommendation_transitions h
        where h.recommendation_id = r.id and h.at <= ${ts(p.asOf)}
        order by h.at desc, h.id desc limit 1
      ) s on true
      left join lateral (
        select h.at from recommendation_transitions h
        where h.recommendation_id = r.id and h.from_status = 'proposed' and h.at <= ${ts(p.asOf)}
        order by h.at, h.id limit 1
      ) a on true
      where ${sql.join(filters, sql` and `)}
    )`;
}

const figures = sql`
  count(*)::int as made,
  (count(*) filter (where c.status in ('accepted', 'done')))::int as accepted,
  (count(*) filter (where c.status = 'declined'))::int as declined,
  (count(*) filter (where c.status = 'done'))::int as done,
  (count(*) filter (where c.status = 'proposed'))::int as open,
  round((percentile_cont(0.5) within group (order by extract(epoch from c.answered_at - c.created_at) / 86400)
    filter (where c.answered_at is not null))::numeric, 2) as median_days`;

interface RawRow {
  key: string | null;
  unit_code: string | null;
  unit_name: string | null;
  made: number | string;
  accepted: number | string;
  declined: number | string;
  done: number | string;
  open: number | string;
  median_days: number | string | null;
}

const toRow = (row: RawRow): RecommendationCountRow => ({
  key: row.key,
  unitCode: row.unit_code,
  unitName: row.unit_name,
  made: Number(row.made),
  accepted: Number(row.accepted),
  declined: Number(row.declined),
  done: Number(row.done),
  open: Number(row.open),
  medianDaysToResponse: row.median_days === null ? null : Number(row.median_days),
});

/** The totals and, with `groupBy`, one row per unit (by code) or UTC month (in order) that has any. */
export async function recommendationCounts(
  db: Queryable,
  p: RecommendationPopulation,
  groupBy: RecommendationGrouping | undefined,
): Promise<{ totals: RecommendationCountRow; groups: RecommendationCountRow[] }> {
  const [totals] = await reportRows<RawRow>(
    db,
    sql`with ${population(p)} select null as key, null as unit_code, null as unit_name, ${figures} from counted c`,
  );
  let groups: RawRow[] = [];
  if (groupBy === 'unit') {
    groups = await reportRows<RawRow>(
      db,
      sql`with ${population(p)}
      select u.id::text as key, u.code as unit_code, u.name as unit_name, ${figures}
      from counted c join units u on u.id = c.unit_id
      group by u.id, u.code, u.name order by u.code`,
    );
  } else if (groupBy === 'month') {
    groups = await reportRows<RawRow>(
      db,
      sql`with ${population(p)}
      select to_char(c.created_at at time zone 'UTC', 'YYYY-MM') as key, null as unit_code, null as unit_name, ${figures}
      from counted c group by 1 order by 1`,
    );
  }
  return { totals: toRow(totals!), groups: groups.map(toRow) };
}
