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

/**
 * One row per item of the population with its status as it stood at `asOf`, read from
 * feedback_facts (one narrow row per item, with its current status spell): an item whose current
 * spell began by `asOf` held it then; for the others (their current spell began later, or they have
 * none) the spell holding at `asOf` is one that ended after it (feedback_status_spells_ended_idx,
 * few for a recent `asOf`), else the item was `received`. Spells follow the transitions: the last
 * one at or before `asOf`, ties on the timestamp broken by insertion order. With the status come
 * when its spell began, the span from receipt to then in microseconds, and for a closure by an
 * action the action's co-production rung.
 */
function judgedItems(population: Population, receivedFrom: SQL = ts(population.from)): SQL {
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
      select i.*, a.coproduction_level,
        i.status in ('actioned', 'not_actioned') as closed,
        case when i.status in ('actioned', 'not_actioned') then i.status_span end as close_span
      from items i
      left join actions a on a.id = i.action_id and i.status = 'actioned'
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
 * PostgreSQL's percentile_cont(fraction) of the days, rounded to 2 decimals, over a sorted array of
 * spans in microseconds: the values at 0-based positions floor and ceil of fraction × (n − 1),
 * interpolated linearly by the remainder, in the same float8 steps as its C code, so the figure is
 * the same to the last bit. Only the two values picked are turned into days. Null for an empty or
 * missing array.
 */
function percentileOf(sorted: SQL, fraction: number): SQL {
  const position = sql`(${sql.raw(`${fraction}::float8`)} * (cardinality(${sorted}) - 1)::float8)`;
  const low = daysOf(sql`${sorted}[1 + floor(${position})::int]`);
  const high = daysOf(sql`${sorted}[1 + ceil(${position})::int]`);
  return sql`case when cardinality(${sorted}) > 0 then round((case when floor(${position}) = ceil(${position})
    then ${low} else ${low} + (${high} - ${low}) * (${position} - floor(${position})) end)::numeric, 2)::float8 end`;
}

/**
 * The counts of one row, as plain aggregates (so PostgreSQL can hash the groups instead of sorting
 * every row by its group), with the closing spans of its closed items collected unsorted for the
 * percentiles, which are worked out afterwards from each group's spans sorted alone. Every aggregate
 * here has a combine function (`report_spans`, migration 0030, instead of array_agg), so PostgreSQL
 * can share the scan among parallel workers.
 */
function counts(asOf: Date): SQL {
  return sql`
    count(*)::int as received,
    (count(*) filter (where closed))::int as closed,
    (count(*) filter (where status = 'actioned'))::int as actioned,
    (count(*) filter (where status = 'not_actioned'))::int as not_actioned,
    (count(*) filter (where not closed and due_at < ${ts(asOf)}))::int as overdue,
    (count(*) filter (where closed and status_at <= due_at))::int as closed_within_target,
    (count(*) filter (where status = 'actioned' and coproduction_level = 'co_producing'))::int as coproduced`;
}

const closeSpans = sql`report_spans(close_span) filter (where closed and close_span is not null) as close_spans`;

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
 * Each judged item with what its replies, acknowledgement and follow-up answers stood at `asOf`,
 * from their timestamps (never a current status): reply rows survive erasure, so the counts do too.
 * Replies, follow-ups and safeguarding history are each read once and aggregated per item, then
 * hash-joined, instead of probed once per item (a million probes for a trust). The safeguarding
 * status at `asOf` is the newest one recorded at or before it, `none` if none was.
 */
function repliedItems(asOf: Date): SQL {
  return sql`
    replied as (
      select j.*,
        coalesce(r.wanted, false) as reply_wanted,
        coalesce(r.delivered, false) as answer_delivered,
        j.acknowledged_at <= ${ts(asOf)} as acknowledged,
        case when j.acknowledged_at <= ${ts(asOf)} then j.acknowledge_span_us end as acknowledge_span,
        coalesce(fu.yes, 0) as follow_up_yes, coalesce(fu.partly, 0) as follow_up_partly,
        coalesce(fu.no, 0) as follow_up_no,
        coalesce(sg.safeguarding, 'none') = 'flagged' as safeguarding_flagged
      from judged j
      left join (
        select r.feedback_id, bool_or(r.created_at <= ${ts(asOf)}) as wanted,
          bool_or(r.kind = 'answer' and (r.sent_at <= ${ts(asOf)} or r.handed_over_at <= ${ts(asOf)})) as delivered
        from replies r
        group by r.feedback_id
      ) r on r.feedback_id = j.id
      left join (
        select distinct on (h.feedback_id) h.feedback_id, h.safeguarding
        from feedback_safeguarding_history h
        where h.at <= ${ts(asOf)}
        order by h.feedback_id, h.at desc, h.id desc
      ) sg on sg.feedback_id = j.id
      left join (
        select u.feedback_id, count(*) filter (where u.answer = 'yes') as yes,
          count(*) filter (where u.answer = 'partly') as partly,
          count(*) filter (where u.answer = 'no') as no
        from follow_ups u
        where u.answered_at <= ${ts(asOf)}
        group by u.feedback_id
      ) fu on fu.feedback_id = j.id
    )`;
}

/**
 * The reply counts of one row of `replied`, with the acknowledgement spans collected as `counts`
 * collects the closing ones. An acknowledgement is settled at `asOf` once it was given or its
 * deadline had passed; items without a deadline (recorded before the clock) never count.
 */
function replyCounts(asOf: Date): SQL {
  return sql`
    (count(*) filter (where reply_wanted))::int as replies_wanted,
    (count(*) filter (where answer_delivered))::int as answers_delivered,
    (count(*) filter (where acknowledge_by is not null and acknowledged and acknowledged_at <= acknowledge_by))::int
      as acknowledged_within_target,
    (count(*) filter (where acknowledge_by is not null and (acknowledged or acknowledge_by < ${ts(asOf)})))::int
      as acknowledgement_settled,
    sum(follow_up_yes)::int as follow_up_yes,
    sum(follow_up_partly)::int as follow_up_partly,
    sum(follow_up_no)::int as follow_up_no,
    (count(*) filter (where safeguarding_flagged))::int as safeguarding_flagged,
    report_spans(acknowledge_span) filter (where acknowledged and acknowledge_span is not null) as acknowledge_spans`;
}

const replyCountColumns = [
  'replies_wanted',
  'answers_delivered',
  'acknowledged_within_target',
  'acknowledgement_settled',
  'follow_up_yes',
  'follow_up_partly',
  'follow_up_no',
  'safeguarding_flagged',
];

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
// than text, and `key` is worked out from it.
const groupKeys: Record<Exclude<ClosureGrouping, 'theme'>, { by: SQL; key: (by: SQL) => SQL }> = {
  unit: { by: sql`j.unit_id`, key: (by) => sql`${by}::text` },
  channel: { by: sql`coalesce(j.channel, 'not_recorded')`, key: (by) => by },
  kind: { by: sql`coalesce(j.kind, 'not_recorded')`, key: (by) => by },
  submitterRole: { by: sql`j.submitter_role`, key: (by) => by },
  month: {
    by: sql`date_trunc('month', j.received_at at time zone 'UTC')`,
    key: (by) => sql`to_char(${by}, 'YYYY-MM')`,
  },
};

const columnList = (alias: string, columns: string[]) => sql.raw(columns.map((c) => `${alias}.${c}`).join(', '));

/**
 * Totals from the rows of groups that split the population (each item in exactly one group): the
 * counts add up and the spans are pooled, so the items are read once for both.
 */
function pooledTotals(columns: string[], spans: string[]): SQL {
  return sql.raw(
    [
      ...columns.map((c) => `coalesce(sum(g.${c}), 0)::int as ${c}`),
      ...spans.map((c) => `(select array_agg(s) from groups q cross join lateral unnest(q.${c}) s) as ${c}`),
    ].join(', '),
  );
}

/**
 * Closure figures for the population, in one statement: the totals row (key null) and, with a
 * grouping, one row per group. The groups are hashed, and each row's percentiles come from its own
 * spans sorted once; for groupings that split the items the totals are pooled from the groups.
 * Theme groups come from unnesting each item's themes, so an item counts once in each of its
 * themes; the totals are then taken over the items, never over those rows.
 */
export async function closureFigures(
  db: Queryable,
  population: Population,
  groupBy: ClosureGrouping | undefined,
): Promise<{ totals: ClosureFigureRow; groups: ClosureFigureRow[] }> {
  const asOf = population.asOf;
  const aggregates = sql`${counts(asOf)}, ${closeSpans}, ${replyCounts(asOf)}`;
  const columns = [...countColumns, ...replyCountColumns];
  const spans = ['close_spans', 'acknowledge_spans'];
  const all = [...columns, ...spans];
  let rowsOf: SQL;
  if (groupBy === undefined) {
    rowsOf = sql`rows as (select null::text as key, ${aggregates} from replied j)`;
  } else {
    const grouped =
      groupBy === 'theme'
        ? sql`select g.key, ${aggregates}
          from replied j
          cross join lateral unnest(
            case when cardinality(j.themes) = 0 then array['not_recorded']::text[] else j.themes end
          ) as g(key)
          group by g.key`
        : sql`select ${groupKeys[groupBy].key(sql`b.by`)} as key, ${columnList('b', all)}
          from (select ${groupKeys[groupBy].by} as by, ${aggregates} from replied j group by 1) b`;
    const totals =
      groupBy === 'theme'
        ? sql`select null::text as key, ${columnList('t', all)} from (select ${aggregates} from replied j) t`
        : sql`select null::text as key, ${pooledTotals(columns, spans)} from groups g`;
    rowsOf = sql`groups as (${grouped}),
    rows as (${totals} union all select ${columnList('groups', ['key', ...all])} from groups)`;
  }
  const rawRows = await reportRows<RawFigureRow & RawReplyFigureRow>(
    db,
    sql`
    with ${judgedItems(population)},
    ${repliedItems(asOf)},
    ${rowsOf}
    select r.key, ${columnList('r', columns)},
      ${percentileOf(sql`cs.a`, 0.5)} as median_days, ${percentileOf(sql`cs.a`, 0.9)} as p90_days,
      ${percentileOf(sql`ak.a`, 0.5)} as median_days_to_acknowledge,
      u.code as unit_code, u.name as unit_name, u.ods_code
    from rows r
    cross join lateral (select array_agg(s order by s) as a from unnest(r.close_spans) s) cs
    cross join lateral (select array_agg(s order by s) as a from unnest(r.acknowledge_spans) s) ak
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

/**
 * Closure counts by the answers to one equality question: the totals row (key null) and one row per
 * answer, items without an answer under `not_recorded`. Suppression is the service's job.
 */
export async function equityFigures(
  db: Queryable,
  population: Population,
  characteristic: ReportCharacteristic,
): Promise<{ totals: FigureRow; groups: FigureRow[] }> {
  const column = sql.raw(`e.${equalityColumns[characteristic]}`);
  const asOf = population.asOf;
  // Only counts: the service shows no statistic of single items here, so no percentile is worked out.
  const rawRows = await reportRows<RawFigureRow>(
    db,
    sql`
    with ${judgedItems(population)},
    groups as (
      select coalesce(${column}, 'not_recorded') as key, ${counts(asOf)}
      from judged j
      left join feedback_equality e on e.feedback_id = j.id
      group by 1
    )
    select null::text as key, ${pooledTotals(countColumns, [])} from groups g
    union all
    select ${columnList('groups', ['key', ...countColumns])} from groups
    order by key nulls first`,
  );
  const [totals, ...groups] = rawRows.map(toFigureRow);
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
