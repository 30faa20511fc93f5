import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { inSnapshot } from '../../db/transaction.js';
import type { ClosureGrouping, ReportCharacteristic } from './reports.schemas.js';

/** Which items a report counts; every bound here is applied inside PostgreSQL. */
export interface Population {
  from: Date;
  to: Date;
  asOf: Date;
  /** The subtree root; null for everything. */
  unitId: string | null;
  kind?: string | undefined;
  channel?: string | undefined;
  theme?: string | undefined;
  submitterRole?: string | undefined;
}

/** The counts and percentiles of one row of a report, as PostgreSQL computed them. */
export interface FigureRow {
  key: string | null;
  unitCode: string | null;
  unitName: string | null;
  odsCode: string | null;
  received: number;
  closed: number;
  actioned: number;
  notActioned: number;
  overdue: number;
  closedWithinTarget: number;
  coproduced: number;
  medianDays: number | null;
  p90Days: number | null;
}

export interface ThemeMonthRow {
  theme: string;
  month: string;
  received: number;
  closed: number;
  previousReceived: number;
}

const ts = (date: Date): SQL => sql`${date.toISOString()}::timestamptz`;

/** The bounds of the population on its feedback_facts rows, aliased `f`. */
function populationFilters(population: Population, receivedFrom: SQL = ts(population.from)): SQL[] {
  const { asOf, unitId, kind, channel, theme, submitterRole } = population;
  const filters: SQL[] = [
    sql`f.received_at >= ${receivedFrom}`,
    sql`f.received_at < ${ts(population.to)}`,
    sql`f.received_at <= ${ts(asOf)}`,
  ];
  if (unitId) filters.push(sql`f.unit_id in (select u.id from units u where u.path @> array[${unitId}]::uuid[])`);
  if (kind) filters.push(sql`f.kind = ${kind}`);
  if (channel) filters.push(sql`f.channel = ${channel}`);
  if (submitterRole) filters.push(sql`f.submitter_role = ${submitterRole}`);
  if (theme) filters.push(sql`f.themes @> array[${theme}]::text[]`);
  return filters;
}

/**
 * One row per item of the population with its status as it stood at `asOf`, read from
 * feedback_facts (one narrow row per item, with its current status spell): an item whose current
 * spell began by `asOf` held it then; for the others (their current spell began later, or they have
 * none) the spell holding at `asOf` is one that ended after it (feedback_status_spells_ended_idx,
 * few for a recent `asOf`), else the item was `received`. Spells follow the transitions: the last
 * one at or before `asOf`, ties on the timestamp broken by insertion order. With the status come
 * when its spell began, the span from receipt to then in microseconds, and whether it was closed by
 * an action at the co-producing rung.
 */
function judgedItems(population: Population, receivedFrom: SQL = ts(population.from)): SQL {
  const { asOf } = population;
  const filters = populationFilters(population, receivedFrom);
  const held = sql`f.status_from <= ${ts(asOf)}`;
  return sql`
    items as (
      select f.feedback_id as id, f.unit_id, f.received_at, f.due_at, f.kind, f.channel, f.submitter_role,
        f.themes, f.acknowledge_by, f.acknowledged_at, f.acknowledge_span_us,
        case when ${held} then f.status else coalesce(e.status, 'received') end as status,
        case when ${held} then f.status_from else e.from_at end as status_at,
        case when ${held} then f.status_span_us else ${microsecondsOf(sql`e.from_at - f.received_at`)} end
          as status_span,
        case when ${held} then f.action_id else e.action_id end as action_id
      from feedback_facts f
      left join feedback_status_spells e on e.feedback_id = f.feedback_id
        and e.to_at is not null and e.to_at > ${ts(asOf)} and e.from_at <= ${ts(asOf)}
      where ${sql.join(filters, sql` and `)}
    ),
    judged as (
      select i.*,
        i.status in ('actioned', 'not_actioned') as closed,
        -- A hashed set of the co-producing actions, tested only for actioned items: half the cost
        -- of joining every item to actions (a million-row hash join).
        i.status = 'actioned' and i.action_id in (select a.id from actions a where a.coproduction_level = 'co_producing')
          as coproduced
      from items i
    )`;
}

/**
 * Runs one report statement with settings for a large aggregate: JIT off (compiling the plan took
 * about half a second, more than it ever saved here) and enough work_mem for the sorts behind the
 * percentiles and groups to stay in memory. `set local` ends with the transaction.
 */
export async function reportRows<Row>(db: Queryable, query: SQL): Promise<Row[]> {
  return inSnapshot(db, async (tx) => {
    await tx.execute(sql`set local jit = off`);
    await tx.execute(sql`set local work_mem = '64MB'`);
    return rowsOf<Row>(tx, query);
  });
}

/**
 * A span as a whole number of microseconds (int8), exact: sorted as int8 it orders the days the
 * same way, and sorts about three times faster than intervals (720k spans: 0.8 s against 2.4 s on a busy machine).
 */
function microsecondsOf(span: SQL): SQL {
  return sql`(extract(epoch from ${span}) * 1000000)::int8`;
}

/**
 * Days as the reports give them, from microseconds: the span's seconds (the decimal extract gives,
 * which depends only on the span's length) over 86,400 as a decimal, then as float8, as
 * percentile_cont reads its input. Only the few values a percentile picks go through it: the
 * decimal division and its conversion cost about a microsecond a row, seconds at a million.
 */
const daysOf = (microseconds: SQL): SQL =>
  sql`(extract(epoch from (${microseconds})::float8 * interval '1 microsecond') / 86400.0)::float8`;

/**
 * PostgreSQL's percentile_cont(fraction) of the days, rounded to 2 decimals, over `n` spans in
 * microseconds of which `low` and `high` are the values at 0-based positions floor and ceil of
 * fraction × (n − 1) in sorted order (`positionOf`): interpolated linearly by the remainder, in the
 * same float8 steps as its C code, so the figure is the same to the last bit. Only the two values
 * picked are turned into days. Null when there are no spans.
 */
function interpolatedPercentile(n: SQL, low: SQL, high: SQL, fraction: number): SQL {
  const position = positionOf(n, fraction);
  return sql`case when ${n} > 0 then round((case when floor(${position}) = ceil(${position})
    then ${daysOf(low)} else ${daysOf(low)} + (${daysOf(high)} - ${daysOf(low)}) * (${position} - floor(${position}))
    end)::numeric, 2)::float8 end`;
}

const positionOf = (n: SQL, fraction: number): SQL => sql`(${sql.raw(`${fraction}::float8`)} * (${n} - 1)::float8)`;

/** The percentile over one sorted array of spans. */
function percentileOf(sorted: SQL, fraction: number): SQL {
  const position = positionOf(sql`cardinality(${sorted})`, fraction);
  return interpolatedPercentile(
    sql`cardinality(${sorted})`,
    sql`${sorted}[1 + floor(${position})::int]`,
    sql`${sorted}[1 + ceil(${position})::int]`,
    fraction,
  );
}

/**
 * The percentile over the spans of all rows of `groups` together, each row's spans a sorted array in
 * `column`, without pooling and sorting them again. The span at position p of the union is the least
 * value v with more than p spans at or below it, found by halving the range of values, each step
 * counting every row's spans at or below v with width_bucket (a binary search in its sorted array):
 * for microsecond spans of a year about 45 steps of one search per group, where pooling and sorting
 * a million spans took about 0.6 s. The span after it is that value again if more than p + 1 spans
 * are at or below it, else the least of the rows' next spans. A lateral subquery giving `n`, `low`
 * and `high` for `interpolatedPercentile`; its `offset 0`s keep each search one subquery, run once,
 * where the planner would otherwise copy it into every place its value is used.
 */
function percentileInputsOfGroups(groups: string, column: string, fraction: number): SQL {
  const spans = sql.raw(`g.${column}`);
  const from = sql.raw(groups);
  const position = sql`floor(${positionOf(sql`c.n`, fraction)})::int8`;
  // `offset 0` keeps each step's count a subquery of its own, counted once, not once per use.
  const low = sql`(
    with recursive halving(low, high) as (
      select min(${spans}[1]), max(${spans}[cardinality(${spans})]) from ${from} g where cardinality(${spans}) > 0
      union all
      select case when h.at_or_below > ${position} then h.low else h.middle + 1 end,
        case when h.at_or_below > ${position} then h.middle else h.high end
      from (
        select s.low, s.high, m.middle,
          (select sum(width_bucket(m.middle, ${spans})) from ${from} g) as at_or_below
        from halving s
        cross join lateral (select s.low + (s.high - s.low) / 2 as middle) m
        where s.low < s.high
        offset 0
      ) h
    )
    select low from halving where low = high)`;
  return sql`(
    select p.n, p.low,
      case when p.n < 2 or ceil(${positionOf(sql`p.n`, fraction)}) = floor(${positionOf(sql`p.n`, fraction)}) then p.low
        else (
          select case when sum(width_bucket(p.low, ${spans})) > floor(${positionOf(sql`p.n`, fraction)}) + 1 then p.low
            else min(${spans}[width_bucket(p.low, ${spans}) + 1]) end
          from ${from} g
        ) end as high
    from (select c.n, ${low} as low from (select coalesce(sum(cardinality(${spans})), 0) as n from ${from} g) c offset 0) p
    offset 0
  )`;
}

/**
 * The counts of one row, as plain aggregates (so PostgreSQL can hash the groups instead of sorting
 * every row by its group), with the closing spans of its closed items collected unsorted for the
 * percentiles, which are worked out afterwards from each group's spans sorted alone. Every aggregate
 * here has a combine function (`report_spans`, migration 0030, instead of array_agg), so PostgreSQL
 * can share the scan among parallel workers. Each mention of the status works out its `asOf` case
 * again, row by row, so the filters name it as seldom as they can: `closed` is the sum of two counts
 * taken anyway and the cheap deadline test comes first.
 */
function counts(asOf: Date): SQL {
  const actioned = sql`count(*) filter (where status = 'actioned')`;
  const notActioned = sql`count(*) filter (where status = 'not_actioned')`;
  return sql`
    count(*)::int as received,
    (${actioned} + ${notActioned})::int as closed,
    (${actioned})::int as actioned,
    (${notActioned})::int as not_actioned,
    (count(*) filter (where due_at < ${ts(asOf)} and not closed))::int as overdue,
    (count(*) filter (where closed and status_at <= due_at))::int as closed_within_target,
    (count(*) filter (where coproduced))::int as coproduced`;
}

const closeSpans = sql`report_spans(status_span) filter (where closed and status_span is not null) as close_spans`;

const countColumns = [
  'received',
  'closed',
  'actioned',
  'not_actioned',
  'overdue',
  'closed_within_target',
  'coproduced',
];

/** The replies to the person of one row of the closure report, as PostgreSQL counted them. */
export interface ReplyFigureRow {
  repliesWanted: number;
  answersDelivered: number;
  acknowledgedWithinTarget: number;
  acknowledgementSettled: number;
  medianDaysToAcknowledge: number | null;
  followUpYes: number;
  followUpPartly: number;
  followUpNo: number;
  /** Items whose safeguarding status at `asOf` was `flagged`. */
  safeguardingFlagged: number;
}

/**
 * The items of the population that have replies, follow-up answers or a safeguarding history, with
 * what those stood at `asOf`, from their timestamps (never a current status): reply rows survive
 * erasure, so the counts do too. Read from those tables, each once and aggregated per item, and
 * joined to the items' facts, so a report costs in proportion to them rather than a probe of each
 * table for every item of a trust. The safeguarding status at `asOf` is the newest one recorded at
 * or before it, `none` if none was.
 */
function answeredItems(population: Population): SQL {
  const asOf = ts(population.asOf);
  return sql`
    answered as (
      select f.unit_id, f.channel, f.kind, f.submitter_role, f.received_at, f.themes,
        coalesce(r.wanted, false) as reply_wanted,
        coalesce(r.delivered, false) as answer_delivered,
        coalesce(fu.yes, 0) as follow_up_yes, coalesce(fu.partly, 0) as follow_up_partly,
        coalesce(fu.no, 0) as follow_up_no,
        coalesce(sg.safeguarding, 'none') = 'flagged' as safeguarding_flagged
      from (
        select feedback_id from replies
        union select feedback_id from follow_ups
        union select feedback_id from feedback_safeguarding_history
      ) touched
      join feedback_facts f on f.feedback_id = touched.feedback_id
      left join (
        select r.feedback_id, bool_or(r.created_at <= ${asOf}) as wanted,
          bool_or(r.kind = 'answer' and (r.sent_at <= ${asOf} or r.handed_over_at <= ${asOf})) as delivered
        from replies r
        group by r.feedback_id
      ) r on r.feedback_id = f.feedback_id
      left join (
        select distinct on (h.feedback_id) h.feedback_id, h.safeguarding
        from feedback_safeguarding_history h
        where h.at <= ${asOf}
        order by h.feedback_id, h.at desc, h.id desc
      ) sg on sg.feedback_id = f.feedback_id
      left join (
        select u.feedback_id, count(*) filter (where u.answer = 'yes') as yes,
          count(*) filter (where u.answer = 'partly') as partly,
          count(*) filter (where u.answer = 'no') as no
        from follow_ups u
        where u.answered_at <= ${asOf}
        group by u.feedback_id
      ) fu on fu.feedback_id = f.feedback_id
      where ${sql.join(populationFilters(population), sql` and `)}
    )`;
}

/** The counts of one row of `answered`. */
const answeredCounts = sql`
  (count(*) filter (where reply_wanted))::int as replies_wanted,
  (count(*) filter (where answer_delivered))::int as answers_delivered,
  coalesce(sum(follow_up_yes), 0)::int as follow_up_yes,
  coalesce(sum(follow_up_partly), 0)::int as follow_up_partly,
  coalesce(sum(follow_up_no), 0)::int as follow_up_no,
  (count(*) filter (where safeguarding_flagged))::int as safeguarding_flagged`;

const answeredColumns = [
  'replies_wanted',
  'answers_delivered',
  'follow_up_yes',
  'follow_up_partly',
  'follow_up_no',
  'safeguarding_flagged',
];

/**
 * The acknowledgement counts of one row of `judged`, with the acknowledgement spans collected as
 * `counts` collects the closing ones. An acknowledgement is settled at `asOf` once it was given or
 * its deadline had passed; items without a deadline (recorded before the clock) never count.
 */
function acknowledgedCounts(asOf: Date): SQL {
  const acknowledged = sql`acknowledged_at <= ${ts(asOf)}`;
  return sql`
    (count(*) filter (where acknowledge_by is not null and ${acknowledged} and acknowledged_at <= acknowledge_by))::int
      as acknowledged_within_target,
    (count(*) filter (where acknowledge_by is not null and (${acknowledged} or acknowledge_by < ${ts(asOf)})))::int
      as acknowledgement_settled,
    report_spans(acknowledge_span_us) filter (where ${acknowledged} and acknowledge_span_us is not null)
      as acknowledge_spans`;
}

interface RawReplyFigureRow {
  replies_wanted: number | string;
  answers_delivered: number | string;
  acknowledged_within_target: number | string;
  acknowledgement_settled: number | string;
  median_days_to_acknowledge: number | string | null;
  follow_up_yes: number | string | null;
  follow_up_partly: number | string | null;
  follow_up_no: number | string | null;
  safeguarding_flagged: number | string;
}

interface RawFigureRow {
  key: string | null;
  unit_code: string | null;
  unit_name: string | null;
  ods_code?: string | null;
  received: number | string;
  closed: number | string;
  actioned: number | string;
  not_actioned: number | string;
  overdue: number | string;
  closed_within_target: number | string;
  coproduced: number | string;
  /** Absent where a report gives no percentiles (equity). */
  median_days?: number | string | null;
  p90_days?: number | string | null;
}

const numberOrNull = (value: number | string | null | undefined): number | null =>
  value === null || value === undefined ? null : Number(value);

function toFigureRow(row: RawFigureRow): FigureRow {
  return {
    key: row.key,
    unitCode: row.unit_code ?? null,
    unitName: row.unit_name ?? null,
    odsCode: row.ods_code ?? null,
    received: Number(row.received),
    closed: Number(row.closed),
    actioned: Number(row.actioned),
    notActioned: Number(row.not_actioned),
    overdue: Number(row.overdue),
    closedWithinTarget: Number(row.closed_within_target),
    coproduced: Number(row.coproduced),
    medianDays: numberOrNull(row.median_days),
    p90Days: numberOrNull(row.p90_days),
  };
}

function toReplyFigureRow(row: RawReplyFigureRow): ReplyFigureRow {
  return {
    repliesWanted: Number(row.replies_wanted),
    answersDelivered: Number(row.answers_delivered),
    acknowledgedWithinTarget: Number(row.acknowledged_within_target),
    acknowledgementSettled: Number(row.acknowledgement_settled),
    medianDaysToAcknowledge: numberOrNull(row.median_days_to_acknowledge),
    // A sum over no rows is null: an empty group has no answers.
    followUpYes: Number(row.follow_up_yes ?? 0),
    followUpPartly: Number(row.follow_up_partly ?? 0),
    followUpNo: Number(row.follow_up_no ?? 0),
    safeguardingFlagged: Number(row.safeguarding_flagged),
  };
}

export type ClosureFigureRow = FigureRow & ReplyFigureRow;

// Items without a value are reported as `not_recorded` rather than dropped, so groups add up.
// `by` is what the rows are grouped on (hashed): a uuid or a timestamp hashes and compares faster
// than text, and `key` is worked out from it. Theme groups come from unnesting each item's themes,
// so an item counts once in each of its themes.
const groupKeys: Record<ClosureGrouping, { by: SQL; key: (by: SQL) => SQL; unnest?: SQL }> = {
  unit: { by: sql`j.unit_id`, key: (by) => sql`${by}::text` },
  channel: { by: sql`coalesce(j.channel, 'not_recorded')`, key: (by) => by },
  kind: { by: sql`coalesce(j.kind, 'not_recorded')`, key: (by) => by },
  submitterRole: { by: sql`j.submitter_role`, key: (by) => by },
  month: {
    by: sql`date_trunc('month', j.received_at at time zone 'UTC')`,
    key: (by) => sql`to_char(${by}, 'YYYY-MM')`,
  },
  theme: {
    by: sql`g.key`,
    key: (by) => by,
    unnest: sql`cross join lateral unnest(
      case when cardinality(j.themes) = 0 then array['not_recorded']::text[] else j.themes end
    ) as g(key)`,
  },
};

const columnList = (alias: string, columns: string[]) => sql.raw(columns.map((c) => `${alias}.${c}`).join(', '));

/** Counts of the rows of groups that split the population (each item in exactly one group), added up. */
export const summedCounts = (columns: string[]): SQL =>
  sql.raw(columns.map((c) => `coalesce(sum(g.${c}), 0)::int as ${c}`).join(', '));

/** The closure report's percentiles of one row, from its sorted spans. */
const rowPercentiles = sql`
  ${percentileOf(sql`close_sorted`, 0.5)} as median_days, ${percentileOf(sql`close_sorted`, 0.9)} as p90_days,
  ${percentileOf(sql`acknowledge_sorted`, 0.5)} as median_days_to_acknowledge`;

/**
 * Each row of `rows` (unsorted `close_spans` and `acknowledge_spans`) with its spans sorted, once, in
 * the leader alone. `unnest` in a select list hands the spans to the sort one by one, where in a FROM
 * list it first copies them all into a tuplestore: about a quarter less of this step's time. The
 * `offset 0`s keep each sorted array one value, worked out once, not once per use.
 */
const sortedSpans = (rows: SQL, columns: string[]): SQL => sql`
  select ${columnList('r', ['key', ...columns])}, cs.a as close_sorted, ak.a as acknowledge_sorted
  from ${rows} r
  cross join lateral (select array(select unnest(r.close_spans) order by 1) as a offset 0) cs
  cross join lateral (select array(select unnest(r.acknowledge_spans) order by 1) as a offset 0) ak`;

/**
 * Closure figures for the population, in one statement: the totals row (key null) and, with a
 * grouping, one row per group. The groups are hashed, and each group's spans sorted once for its
 * percentiles; for groupings that split the items the totals add the groups' counts up and take
 * their percentiles across the groups' sorted spans (`percentileInputsOfGroups`), so the items are
 * read once for both. Theme groups come from unnesting each item's themes, so an item counts once
 * in each of its themes; the totals are then taken over the items, never over those rows.
 */
export async function closureFigures(
  db: Queryable,
  population: Population,
  groupBy: ClosureGrouping | undefined,
): Promise<{ totals: ClosureFigureRow; groups: ClosureFigureRow[] }> {
  const asOf = population.asOf;
  const judgedAggregates = sql`${counts(asOf)}, ${closeSpans}, ${acknowledgedCounts(asOf)}`;
  const judgedColumns = [...countColumns, 'acknowledged_within_target', 'acknowledgement_settled'];
  const columns = [...judgedColumns, ...answeredColumns];
  const spans = ['close_spans', 'acknowledge_spans'];
  // The items of the population, and those answered, each aggregated whole; an answered item is
  // one of the population, so `answered` never has a group the items lack.
  const answeredOf = (alias: string) =>
    sql.raw(answeredColumns.map((c) => `coalesce(${alias}.${c}, 0) as ${c}`).join(', '));
  const itemTotals = sql`(
    select null::text as key, ${columnList('m', [...judgedColumns, ...spans])}, ${answeredOf('a')}
    from (select ${judgedAggregates} from judged j) m
    cross join (select ${answeredCounts} from answered j) a
  )`;
  let rowsOf: SQL;
  if (groupBy === undefined) {
    rowsOf = sql`rows as (select *, ${rowPercentiles} from (${sortedSpans(itemTotals, columns)}) t)`;
  } else {
    const { by, key, unnest = sql`` } = groupKeys[groupBy];
    const grouped = sql`
      select ${key(sql`m.by`)} as key, ${columnList('m', [...judgedColumns, ...spans])}, ${answeredOf('a')}
      from (select ${by} as by, ${judgedAggregates} from judged j ${unnest} group by 1) m
      left join (select ${by} as by, ${answeredCounts} from answered j ${unnest} group by 1) a on a.by = m.by`;
    const totals =
      groupBy === 'theme'
        ? sql`select *, ${rowPercentiles} from (${sortedSpans(itemTotals, columns)}) t`
        : sql`select null::text as key, s.*,
            ${interpolatedPercentile(sql`c50.n`, sql`c50.low`, sql`c50.high`, 0.5)} as median_days,
            ${interpolatedPercentile(sql`c90.n`, sql`c90.low`, sql`c90.high`, 0.9)} as p90_days,
            ${interpolatedPercentile(sql`a50.n`, sql`a50.low`, sql`a50.high`, 0.5)} as median_days_to_acknowledge
          from (select ${summedCounts(columns)} from sorted g) s
          cross join lateral ${percentileInputsOfGroups('sorted', 'close_sorted', 0.5)} c50
          cross join lateral ${percentileInputsOfGroups('sorted', 'close_sorted', 0.9)} c90
          cross join lateral ${percentileInputsOfGroups('sorted', 'acknowledge_sorted', 0.5)} a50`;
    rowsOf = sql`groups as (${grouped}),
    sorted as (${sortedSpans(sql`groups`, columns)}),
    rows as (
      select ${columnList('t', ['key', ...columns, 'median_days', 'p90_days', 'median_days_to_acknowledge'])}
      from (${totals}) t
      union all
      select ${columnList('sorted', ['key', ...columns])}, ${rowPercentiles} from sorted
    )`;
  }
  const rawRows = await reportRows<RawFigureRow & RawReplyFigureRow>(
    db,
    sql`
    with ${judgedItems(population)},
    ${answeredItems(population)},
    ${rowsOf}
    select r.key, ${columnList('r', columns)}, r.median_days, r.p90_days, r.median_days_to_acknowledge,
      u.code as unit_code, u.name as unit_name, u.ods_code
    from rows r
    left join units u on ${groupBy === 'unit' ? sql`u.id::text = r.key` : sql`false`}
    order by r.key nulls first`,
  );
  const [totals, ...groups] = rawRows.map((row) => ({ ...toFigureRow(row), ...toReplyFigureRow(row) }));
  if (!totals || totals.key !== null) throw new Error('closure report: the totals row is missing');
  if (groupBy === 'unit') groups.sort((a, b) => (a.unitCode ?? '').localeCompare(b.unitCode ?? ''));
  return { totals, groups };
}

// A whitelist, never user input: the characteristic names map to fixed column names.
const equalityColumns: Record<ReportCharacteristic, string> = {
  ageBand: 'age_band',
  sex: 'sex',
  genderSameAsBirth: 'gender_same_as_birth',
  ethnicGroup: 'ethnic_group',
  religion: 'religion',
  sexualOrientation: 'sexual_orientation',
  disability: 'disability',
  pregnancyMaternity: 'pregnancy_maternity',
  marriageCivilPartnership: 'marriage_civil_partnership',
};

/** The counts of one row of the equity report, as PostgreSQL counted them. */
export type EquityCountRow = Pick<FigureRow, 'key' | 'received' | 'closed' | 'closedWithinTarget'>;

/**
 * Closure counts by the answers to one equality question: the totals row (key null) and one row per
 * answer, items without an answer under `not_recorded`. Suppression is the service's job. Only the
 * three counts the report shows are taken, so the closing action (for co-production) is not joined.
 */
export async function equityFigures(
  db: Queryable,
  population: Population,
  characteristic: ReportCharacteristic,
): Promise<{ totals: EquityCountRow; groups: EquityCountRow[] }> {
  const column = sql.raw(`e.${equalityColumns[characteristic]}`);
  const columns = ['received', 'closed', 'closed_within_target'];
  // Only counts: the service shows no statistic of single items here, so no percentile is worked out.
  const rawRows = await reportRows<{
    key: string | null;
    received: number | string;
    closed: number | string;
    closed_within_target: number | string;
  }>(
    db,
    sql`
    with ${judgedItems(population)},
    groups as (
      select coalesce(${column}, 'not_recorded') as key, count(*)::int as received,
        (count(*) filter (where closed))::int as closed,
        (count(*) filter (where closed and status_at <= due_at))::int as closed_within_target
      from judged j
      left join feedback_equality e on e.feedback_id = j.id
      group by 1
    )
    select null::text as key, ${summedCounts(columns)} from groups g
    union all
    select ${columnList('groups', ['key', ...columns])} from groups
    order by key nulls first`,
  );
  const [totals, ...groups] = rawRows.map(
    (row): EquityCountRow => ({
      key: row.key,
      received: Number(row.received),
      closed: Number(row.closed),
      closedWithinTarget: Number(row.closed_within_target),
    }),
  );
  if (!totals || totals.key !== null) throw new Error('equity report: the totals row is missing');
  return { totals, groups };
}

/**
 * Items received per theme and UTC calendar month, with those closed at `asOf`, and the same
 * theme's count in the calendar month before. The population is read from the start of the month
 * before `from`'s month, so the first month has its comparison; months shown run from `from`'s month
 * to the month of `min(to, asOf)`. A theme that had items the month before and none now appears
 * with 0, so a fall is as visible as a rise.
 */
export async function themeMonths(db: Queryable, population: Population): Promise<ThemeMonthRow[]> {
  const firstMonth = sql`date_trunc('month', ${ts(population.from)} at time zone 'UTC')`;
  const readFrom = sql`((${firstMonth} - interval '1 month') at time zone 'UTC')`;
  const end = new Date(Math.min(population.to.getTime(), population.asOf.getTime()));
  const rawRows = await reportRows<{
    theme: string;
    month: string;
    received: number;
    closed: number;
    previous_received: number;
  }>(
    db,
    sql`
    with ${judgedItems(population, readFrom)},
    per as (
      select th.theme, date_trunc('month', j.received_at at time zone 'UTC') as month,
        count(*)::int as received, (count(*) filter (where j.closed))::int as closed
      from judged j
      cross join lateral unnest(j.themes) as th(theme)
      group by 1, 2
    ),
    shown as (
      select c.theme, c.month, c.received, c.closed, coalesce(p.received, 0) as previous_received
      from per c
      left join per p on p.theme = c.theme and p.month = c.month - interval '1 month'
      where c.month >= ${firstMonth}
      union all
      select p.theme, p.month + interval '1 month', 0, 0, p.received
      from per p
      where p.month + interval '1 month' >= ${firstMonth}
        and p.month + interval '1 month' < (${ts(end)} at time zone 'UTC')
        and not exists (
          select 1 from per c where c.theme = p.theme and c.month = p.month + interval '1 month'
        )
    )
    select theme, to_char(month, 'YYYY-MM') as month, received, closed, previous_received
    from shown
    order by month, (received - previous_received) desc, theme`,
  );
  return rawRows.map((row) => ({
    theme: row.theme,
    month: row.month,
    received: Number(row.received),
    closed: Number(row.closed),
    previousReceived: Number(row.previous_received),
  }));
}
