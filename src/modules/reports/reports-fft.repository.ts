import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import type { FftCounts } from '../feedback/fft.js';
import { reportRows, summedCounts } from './reports.repository.js';
import type { FftGrouping } from './reports-fft.schemas.js';

/** Which FFT responses a report counts; every bound is applied inside PostgreSQL. */
export interface FftPopulation {
  from: Date;
  to: Date;
  asOf: Date;
  /** The subtree root; null for everything. */
  unitId: string | null;
}

export interface FftCountRow extends FftCounts {
  key: string | null;
  unitCode: string | null;
  unitName: string | null;
  odsCode: string | null;
}

export interface FftReturnRow extends FftCounts {
  odsCode: string | null;
  unitCode: string;
  unitName: string;
  collectionMode: string;
}

const ts = (date: Date): SQL => sql`${date.toISOString()}::timestamptz`;

/**
 * The items received in [from, to) and not after `asOf`, in the subtree, with the FFT rating and
 * collection mode each held at `asOf`, read from feedback_facts: an item rated (or re-rated) by
 * `asOf` still holds the rating its facts name; for the few rated after it
 * (feedback_facts_fft_at_idx) the newest feedback_fft_history row at or before `asOf` says, and
 * without one the item had no rating then. An item whose rating was not yet recorded at `asOf`, or
 * had been cleared, is no response.
 */
function ratedItems(population: FftPopulation): SQL {
  const asOf = ts(population.asOf);
  const filters: SQL[] = [
    sql`f.received_at >= ${ts(population.from)}`,
    sql`f.received_at < ${ts(population.to)}`,
    sql`f.received_at <= ${asOf}`,
    sql`f.fft_at is not null`,
  ];
  if (population.unitId) {
    filters.push(sql`f.unit_id in (select u.id from units u where u.path @> array[${population.unitId}]::uuid[])`);
  }
  const held = sql`f.fft_at <= ${asOf}`;
  return sql`
    rated as (
      select * from (
        select f.feedback_id as id, f.unit_id, f.received_at,
          case when ${held} then f.fft_rating else h.fft_rating end as fft_rating,
          case when ${held} then f.collection_mode else h.collection_mode end as collection_mode
        from feedback_facts f
        left join (
          select distinct on (h.feedback_id) h.feedback_id, h.fft_rating, h.collection_mode
          from feedback_facts later
          join feedback_fft_history h on h.feedback_id = later.feedback_id and h.at <= ${asOf}
          where later.fft_at > ${asOf}
          order by h.feedback_id, h.at desc, h.id desc
        ) h on h.feedback_id = f.feedback_id
        where ${sql.join(filters, sql` and `)}
      ) r
      where r.fft_rating is not null
    )`;
}

const counts = sql`
  (count(*) filter (where r.fft_rating = 'very_good'))::int as very_good,
  (count(*) filter (where r.fft_rating = 'good'))::int as good,
  (count(*) filter (where r.fft_rating = 'neither_good_nor_poor'))::int as neither_good_nor_poor,
  (count(*) filter (where r.fft_rating = 'poor'))::int as poor,
  (count(*) filter (where r.fft_rating = 'very_poor'))::int as very_poor,
  (count(*) filter (where r.fft_rating = 'dont_know'))::int as dont_know`;

interface RawCounts {
  very_good: number | string;
  good: number | string;
  neither_good_nor_poor: number | string;
  poor: number | string;
  very_poor: number | string;
  dont_know: number | string;
}

const countsOf = (row: RawCounts): FftCounts => ({
  veryGood: Number(row.very_good),
  good: Number(row.good),
  neitherGoodNorPoor: Number(row.neither_good_nor_poor),
  poor: Number(row.poor),
  veryPoor: Number(row.very_poor),
  dontKnow: Number(row.dont_know),
});

// `by` is what the rows are grouped on (hashed), `key` is worked out from it; the London month has
// its statistics (migration 0031), so the planner hashes a dozen months rather than sorting the rows.
const groupKeys: Record<FftGrouping, { by: SQL; key: (by: SQL) => SQL }> = {
  unit: { by: sql`r.unit_id`, key: (by) => sql`${by}::text` },
  month: {
    by: sql`date_trunc('month', r.received_at at time zone 'Europe/London')`,
    key: (by) => sql`to_char(${by}, 'YYYY-MM')`,
  },
};

const countColumns = ['very_good', 'good', 'neither_good_nor_poor', 'poor', 'very_poor', 'dont_know'];

/** The six counts for the population: the totals row and, with a grouping, one row per group that has responses. */
export async function fftCounts(
  db: Queryable,
  population: FftPopulation,
  groupBy: FftGrouping | undefined,
): Promise<{ totals: FftCountRow; groups: FftCountRow[] }> {
  // With a grouping the totals add the groups up (each response is in one group), so the responses
  // are read once.
  const rowsOf = groupBy
    ? sql`groups as (
        select ${groupKeys[groupBy].key(sql`b.by`)} as key, b.*
        from (select ${groupKeys[groupBy].by} as by, ${counts} from rated r group by 1) b
      ),
      rows as (
        select null::text as key, ${summedCounts(countColumns)}
        from groups g
        union all
        select key, ${sql.raw(countColumns.join(', '))} from groups
      )`
    : sql`rows as (select null::text as key, ${counts} from rated r)`;
  const rows = await reportRows<
    RawCounts & { key: string | null; unit_code: string | null; unit_name: string | null; ods_code: string | null }
  >(
    db,
    sql`
    with ${ratedItems(population)},
    ${rowsOf}
    select c.*, u.code as unit_code, u.name as unit_name, u.ods_code
    from rows c
    left join units u on ${groupBy === 'unit' ? sql`u.id::text = c.key` : sql`false`}
    order by c.key nulls first`,
  );
  const [totals, ...groups] = rows.map(
    (row): FftCountRow => ({
      key: row.key,
      unitCode: row.unit_code,
      unitName: row.unit_name,
      odsCode: row.ods_code,
      ...countsOf(row),
    }),
  );
  if (!totals || totals.key !== null) throw new Error('FFT report: the totals row is missing');
  if (groupBy === 'unit') groups.sort((a, b) => (a.unitCode ?? '').localeCompare(b.unitCode ?? ''));
  return { totals, groups };
}

/**
 * The monthly return: counts per ODS code and collection mode. A response counts under the ODS code
 * of its unit, else of its nearest ancestor that has one; with none up its tree, under its trust
 * with no code, so that no response is left out unseen.
 */
export async function fftReturnCounts(db: Queryable, population: FftPopulation): Promise<FftReturnRow[]> {
  const rows = await reportRows<
    RawCounts & { ods_code: string | null; unit_code: string; unit_name: string; collection_mode: string }
  >(
    db,
    sql`
    with ${ratedItems(population)}
    select o.ods_code, coalesce(o.code, root.code) as unit_code, coalesce(o.name, root.name) as unit_name,
      coalesce(r.collection_mode, 'not_recorded') as collection_mode, ${counts}
    from rated r
    join units u on u.id = r.unit_id
    join units root on root.id = u.path[1]
    left join lateral (
      select a.ods_code, a.code, a.name from units a
      where a.id = any(u.path) and a.ods_code is not null
      order by cardinality(a.path) desc
      limit 1
    ) o on true
    group by 1, 2, 3, 4`,
  );
  return rows.map((row) => ({
    odsCode: row.ods_code,
    unitCode: row.unit_code,
    unitName: row.unit_name,
    collectionMode: row.collection_mode,
    ...countsOf(row),
  }));
}
