import type { Database } from '../../db/client.js';
import type { Reads } from '../../db/replica.js';
import { inTransaction } from '../../db/transaction.js';
import { invalidField } from '../../http/problems.js';
import { appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { startOfLondonDay } from '../calendar/london-time.js';
import { equalityAnswers } from '../feedback/equality.schemas.js';
import { largestWithheldCount } from '../feedback/fft.js';
import { getVisibleUnit } from '../units/units.service.js';
import {
  type ClosureFigureRow,
  closureFigures,
  type EquityCountRow,
  equityFigures,
  type Population,
  themeMonths,
} from './reports.repository.js';
import type {
  ClosureFigures,
  ClosureQuery,
  ClosureReport,
  EquityFigures,
  EquityGroup,
  EquityQuery,
  EquityReport,
  ReportCharacteristic,
  ReportQuery,
  ThemesReport,
} from './reports.schemas.js';

const ratio = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : numerator / denominator;

/**
 * Resolves the period and the unit subtree of a report. A unit outside the key's scope is reported
 * as not found; without `unitId` a scoped key gets its own subtree. Looked up on the primary, so a
 * unit just made is found though the replica reporting on it has not seen it yet.
 */
async function populationFor(db: Database, principal: Principal, query: ReportQuery): Promise<Population> {
  const asOf = query.asOf ?? new Date();
  const to = query.to ?? asOf;
  const from = query.from ?? twelveMonthsBefore(to);
  if (!(from < to)) throw invalidField('/from', '`from` must be before `to`', 'querystring');
  let unitId: string | null = principal.unitId;
  if (query.unitId) unitId = (await getVisibleUnit(db, principal, query.unitId)).id;
  return {
    from,
    to,
    asOf,
    unitId,
    kind: query.kind,
    channel: query.channel,
    theme: query.theme,
    submitterRole: query.submitterRole,
  };
}

/** Twelve calendar months before `date`, to the millisecond (29 February falls back to 1 March). */
export function twelveMonthsBefore(date: Date): Date {
  const result = new Date(date);
  result.setUTCFullYear(result.getUTCFullYear() - 1);
  return result;
}

function periodOf(population: Population) {
  return {
    from: population.from.toISOString(),
    to: population.to.toISOString(),
    asOf: population.asOf.toISOString(),
    unitId: population.unitId,
  };
}

function toClosureFigures(row: ClosureFigureRow): ClosureFigures {
  return {
    received: row.received,
    open: row.received - row.closed,
    overdue: row.overdue,
    closed: row.closed,
    actioned: row.actioned,
    notActioned: row.notActioned,
    closureRate: ratio(row.closed, row.received),
    closedWithinTargetRate: ratio(row.closedWithinTarget, row.closed),
    medianDaysToClose: row.medianDays,
    p90DaysToClose: row.p90Days,
    coproducedShare: ratio(row.coproduced, row.actioned),
    repliesWanted: row.repliesWanted,
    answersDelivered: row.answersDelivered,
    acknowledgedWithinTargetRate: ratio(row.acknowledgedWithinTarget, row.acknowledgementSettled),
    medianDaysToAcknowledge: row.medianDaysToAcknowledge,
    followUpYes: row.followUpYes,
    followUpPartly: row.followUpPartly,
    followUpNo: row.followUpNo,
    safeguardingFlagged: row.safeguardingFlagged,
  };
}

/**
 * GET /v1/reports/closure: every figure is computed by PostgreSQL, on the replica when it is fresh
 * enough (as every report); only the totals and groups come back.
 */
export async function closureReport(reads: Reads, principal: Principal, query: ClosureQuery): Promise<ClosureReport> {
  const population = await populationFor(reads.primary, principal, query);
  const {
    value: { totals, groups },
    dataAsOf,
  } = await reads.fromReplica((db) => closureFigures(db, population, query.groupBy));
  return {
    period: periodOf(population),
    dataAsOf: dataAsOf.toISOString(),
    groupBy: query.groupBy ?? null,
    totals: toClosureFigures(totals),
    groups: groups.map((row) => ({
      key: row.key as string,
      ...(query.groupBy === 'unit'
        ? { unitCode: row.unitCode ?? '', unitName: row.unitName ?? '', odsCode: row.odsCode }
        : {}),
      ...toClosureFigures(row),
    })),
  };
}

/** GET /v1/reports/themes. */
export async function themesReport(reads: Reads, principal: Principal, query: ReportQuery): Promise<ThemesReport> {
  const population = await populationFor(reads.primary, principal, query);
  const { value: rows, dataAsOf } = await reads.fromReplica((db) => themeMonths(db, population));
  return {
    period: periodOf(population),
    dataAsOf: dataAsOf.toISOString(),
    rows: rows.map((row) => ({
      theme: row.theme,
      month: row.month,
      received: row.received,
      closed: row.closed,
      closedShare: ratio(row.closed, row.received),
      previousReceived: row.previousReceived,
      change: row.received - row.previousReceived,
      changeRatio: ratio(row.received, row.previousReceived),
    })),
  };
}

/**
 * NHS HES-style statistical disclosure control for counts of people described by equality answers:
 * 0 to 7 are withheld (null) and every other count is rounded to the nearest 5. Zero is withheld
 * too, or the step from 0 to "withheld" between two reports would show the group of the one item
 * that differs. Integer counts never fall halfway, so the rounding has no ties.
 */
function disclosedCount(count: number): number | null {
  return count <= largestWithheldCount ? null : Math.round(count / 5) * 5;
}

interface EquityCell {
  key: string | null;
  received: number | null;
  closed: number | null;
  closedWithinTarget: number | null;
}

/** Rules 1–2 (see equityDefinitions): each count withheld or rounded on its own; a part of a withheld whole is withheld. */
function primaryDisclosure(row: EquityCountRow): EquityCell {
  const received = disclosedCount(row.received);
  const closed = received === null ? null : disclosedCount(row.closed);
  const closedWithinTarget = closed === null ? null : disclosedCount(row.closedWithinTarget);
  return { key: row.key, received, closed, closedWithinTarget };
}

/**
 * Rule 3: where exactly one group of a column is withheld and the column's total is shown, the
 * smallest shown group (by its rounded count, so the choice reveals nothing finer) is withheld too,
 * else the total, so total − shown groups never narrows a withheld count down alone.
 */
function secondarySuppression(totals: EquityCell, groups: EquityCell[], column: 'received' | 'closed'): void {
  if (totals[column] === null) return;
  const withheld = groups.filter((cell) => cell[column] === null);
  if (withheld.length !== 1) return;
  const shown = groups
    .filter((cell) => cell[column] !== null)
    .sort((a, b) => (a[column] ?? 0) - (b[column] ?? 0) || String(a.key).localeCompare(String(b.key)));
  const target = shown[0] ?? totals;
  if (column === 'received') target.received = null;
  target.closed = null;
  target.closedWithinTarget = null;
}

/** Rates are worked out from the rounded counts, so they carry no more than the counts shown. */
function toEquityFigures(cell: EquityCell): EquityFigures {
  const { received, closed, closedWithinTarget } = cell;
  return {
    received,
    closed,
    closureRate: received === null || closed === null ? null : ratio(closed, received),
    closedWithinTargetRate: closed === null || closedWithinTarget === null ? null : ratio(closedWithinTarget, closed),
    suppressed: received === null || closed === null || closedWithinTarget === null,
  };
}

/**
 * GET /v1/reports/equity: the period snapped to whole days in Europe/London, aggregates from
 * PostgreSQL, disclosure control here, and the query (never its figures) in the audit trail.
 */
export async function equityReport(reads: Reads, principal: Principal, query: EquityQuery): Promise<EquityReport> {
  const population = snapToLondonDays(await populationFor(reads.primary, principal, query));
  const { value: figures, dataAsOf } = await reads.fromReplica((db) =>
    equityFigures(db, population, query.characteristic),
  );
  const totals = primaryDisclosure(figures.totals);
  const groups = everyAnswer(query.characteristic, figures.groups).map(primaryDisclosure);
  secondarySuppression(totals, groups, 'received');
  secondarySuppression(totals, groups, 'closed');
  const period = periodOf(population);
  await inTransaction(reads.primary, (tx) =>
    appendAudit(tx, actorOf(principal), {
      entityType: 'report',
      entityId: 'equity',
      action: 'queried',
      details: { characteristic: query.characteristic, ...period, ...filtersOf(query) },
    }),
  );
  return {
    period,
    dataAsOf: dataAsOf.toISOString(),
    characteristic: query.characteristic,
    totals: toEquityFigures(totals),
    groups: groups.map((cell): EquityGroup => ({ key: cell.key as string, ...toEquityFigures(cell) })),
  };
}

/**
 * One row for every possible answer and `not_recorded`, zero-filled: were a group listed only when
 * someone gave that answer, its row appearing between two reports would show the group of the items
 * that differ, however the counts are rounded. Ordered by key (code points, the same on every database).
 */
function everyAnswer(characteristic: ReportCharacteristic, rows: EquityCountRow[]): EquityCountRow[] {
  const byKey = new Map(rows.map((row) => [row.key as string, row]));
  const keys = new Set<string>([...equalityAnswers[characteristic].options, 'not_recorded', ...byKey.keys()]);
  return [...keys]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => byKey.get(key) ?? { key, received: 0, closed: 0, closedWithinTarget: 0 });
}

/** The filters a report query narrowed its population by, for the audit trail. */
function filtersOf(query: ReportQuery): Record<string, string> {
  const { kind, channel, theme, submitterRole } = query;
  return Object.fromEntries(
    Object.entries({ kind, channel, theme, submitterRole }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}

/**
 * Equity periods in whole London days, so an instant cannot cut a period next to one item: `from`
 * and `to` move back to the start of their day, `asOf` to the start of its day and never past the
 * start of today (a report of today's partial day would change as items arrive).
 */
function snapToLondonDays(population: Population): Population {
  const from = startOfLondonDay(population.from);
  const to = startOfLondonDay(population.to);
  const asOf = startOfLondonDay(new Date(Math.min(population.asOf.getTime(), Date.now())));
  if (!(from < to))
    throw invalidField('/to', '`to` must fall on a later day than `from` (Europe/London)', 'querystring');
  return { ...population, from, to, asOf };
}
