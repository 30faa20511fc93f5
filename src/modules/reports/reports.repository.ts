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
 * One row per item of the population with its status as it stood at `asOf`: the status of its
 * spell holding at `asOf` (feedback_status_spells, which follow the transitions: the last one at or
 * before `asOf`, ties on the timestamp broken by insertion order), when that spell began and, for a
 * closure by an action, the action's co-production rung. An item with no spell yet at `asOf` is
 * `received`. The spells are read in two parts, each from its own partial index without the table:
 * those holding now that began by `asOf`, and those that ended after `asOf` (few for a recent one).
 * Items are found through feedback_items (unit_id, received_at) or (received_at).
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
  return sql`
    items as (
      select f.id, f.unit_id, f.received_at, f.due_at, f.kind, f.channel, f.submitter_role, f.themes,
        f.acknowledge_by, f.acknowledged_at,
        coalesce(s.status, 'received') as status, s.from_at as status_at, a.coproduction_level
      from feedback_items f
      left join (
        select c.feedback_id, c.status, c.from_at, c.action_id from feedback_status_spells c
        where c.to_at is null and c.from_at <= ${ts(asOf)}
        union all
        select e.feedback_id, e.status, e.from_at, e.action_id from feedback_status_spells e
        where e.to_at is not null and e.to_at > ${ts(asOf)} and e.from_at <= ${ts(asOf)}
      ) s on s.feedback_id = f.id
      left join actions a on a.id = s.action_id and s.status = 'actioned'
      where ${sql.join(filters, sql` and `)}
    ),
    judged as (
      select i.*,
        i.status in ('actioned', 'not_actioned') as closed,
        case when i.status in ('actioned', 'not_actioned')
          then extract(epoch from (i.status_at - i.received_at)) / 86400.0 end as days
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

/** The figures of one row; percentiles interpolate linearly and are rounded to 2 decimals. */
function figures(asOf: Date): SQL {
  return sql`
    count(*)::int as received,
    (count(*) filter (where closed))::int as closed,
    (count(*) filter (where status = 'actioned'))::int as actioned,
    (count(*) filter (where status = 'not_actioned'))::int as not_actioned,
    (count(*) filter (where not closed and due_at < ${ts(asOf)}))::int as overdue,
    (count(*) filter (where closed and status_at <= due_at))::int as closed_within_target,
    (count(*) filter (where status = 'actioned' and coproduction_level = 'co_producing'))::int as coproduced,
    round((percentile_cont(0.5) within group (order by days) filter (where closed))::numeric, 2)::float8
      as median_days,
    round((percentile_cont(0.9) within group (order by days) filter (where closed))::numeric, 2)::float8
      as p90_days`;
}

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
        case when j.acknowledged_at <= ${ts(asOf)}
          then extract(epoch from (j.acknowledged_at - j.received_at)) / 86400.0 end as days_to_acknowledge,
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
 * The reply figures of one row of `replied`. An acknowledgement is settled at `asOf` once it was
 * given or its deadline had passed; items without a deadline (recorded before the clock) never count.
 */
function replyFigures(asOf: Date): SQL {
  return sql`
    (count(*) filter (where reply_wanted))::int as replies_wanted,
    (count(*) filter (where answer_delivered))::int as answers_delivered,
    (count(*) filter (where acknowledge_by is not null and acknowledged and acknowledged_at <= acknowledge_by))::int
      as acknowledged_within_target,
    (count(*) filter (where acknowledge_by is not null and (acknowledged or acknowledge_by < ${ts(asOf)})))::int
      as acknowledgement_settled,
    round((percentile_cont(0.5) within group (order by days_to_acknowledge) filter (where acknowledged))::numeric, 2)
      ::float8 as median_days_to_acknowledge,
    sum(follow_up_yes)::int as follow_up_yes,
    sum(follow_up_partly)::int as follow_up_partly,
    sum(follow_up_no)::int as follow_up_no,
    (count(*) filter (where safeguarding_flagged))::int as safeguarding_flagged`;
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
  median_days: number | string | null;
  p90_days: number | string | null;
}

const numberOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

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
// `by` is what the rows are sorted on to group them (the percentiles need a sort): a uuid or a
// timestamp compares far faster than text under a collation, and `key` is worked out from it.
const groupKeys: Record<Exclude<ClosureGrouping, 'theme'>, { key: SQL; by: SQL }> = {
  unit: { key: sql`j.unit_id::text`, by: sql`j.unit_id` },
  channel: { key: sql`coalesce(j.channel, 'not_recorded')`, by: sql`1` },
  kind: { key: sql`coalesce(j.kind, 'not_recorded')`, by: sql`1` },
  submitterRole: { key: sql`j.submitter_role`, by: sql`1` },
  month: {
    key: sql`to_char(date_trunc('month', j.received_at at time zone 'UTC'), 'YYYY-MM')`,
    by: sql`date_trunc('month', j.received_at at time zone 'UTC')`,
  },
};

/**
 * Closure figures for the population, in one statement: the totals row (key null) and, with a
 * grouping, one row per group. Theme groups come from unnesting each item's themes, so an item
 * counts once in each of its themes; the totals are taken over items, never over those rows.
 */
export async function closureFigures(
  db: Queryable,
  population: Population,
  groupBy: ClosureGrouping | undefined,
): Promise<{ totals: ClosureFigureRow; groups: ClosureFigureRow[] }> {
  const asOf = population.asOf;
  const both = sql`${figures(asOf)}, ${replyFigures(asOf)}`;
  let grouped = sql``;
  if (groupBy === 'theme') {
    grouped = sql`
      union all
      select g.key, ${both}
      from replied j
      cross join lateral unnest(
        case when cardinality(j.themes) = 0 then array['not_recorded']::text[] else j.themes end
      ) as g(key)
      group by g.key`;
  } else if (groupBy) {
    grouped = sql`
      union all
      select ${groupKeys[groupBy].key} as key, ${both}
      from replied j
      group by ${groupKeys[groupBy].by}`;
  }
  const rawRows = await reportRows<RawFigureRow & RawReplyFigureRow>(
    db,
    sql`
    with ${judgedItems(population)},
    ${repliedItems(asOf)},
    rows as (
      select null::text as key, ${both} from replied
      ${grouped}
    )
    select r.*, u.code as unit_code, u.name as unit_name, u.ods_code
    from rows r
    left join units u on ${groupBy === 'unit' ? sql`u.id::text = r.key` : sql`false`}
    order by r.key nulls first`,
  );
  const rows = rawRows.map((row) => ({ ...toFigureRow(row), ...toReplyFigureRow(row) }));
  const [totals, ...groups] = rows;
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
 * Closure figures by the answers to one equality question: the totals row (key null) and one row per
 * answer, items without an answer under `not_recorded`. Suppression is the service's job.
 */
export async function equityFigures(
  db: Queryable,
  population: Population,
  characteristic: ReportCharacteristic,
): Promise<{ totals: FigureRow; groups: FigureRow[] }> {
  const column = sql.raw(`e.${equalityColumns[characteristic]}`);
  const asOf = population.asOf;
  const rawRows = await reportRows<RawFigureRow>(
    db,
    sql`
    with ${judgedItems(population)}
    select null::text as key, ${figures(asOf)} from judged
    union all
    select coalesce(${column}, 'not_recorded') as key, ${figures(asOf)}
    from judged j
    left join feedback_equality e on e.feedback_id = j.id
    group by 1
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
