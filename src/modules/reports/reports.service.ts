import type { Database } from '../../db/client.js';
import { invalidField } from '../../http/problems.js';
import type { Principal } from '../auth/auth.service.js';
import { getVisibleUnit } from '../units/units.service.js';
import { closureFigures, equityFigures, type FigureRow, type Population, themeMonths } from './reports.repository.js';
import type {
  ClosureFigures,
  ClosureQuery,
  ClosureReport,
  EquityFigures,
  EquityGroup,
  EquityQuery,
  EquityReport,
  ReportQuery,
  ThemesReport,
} from './reports.schemas.js';

/** Cells counting fewer people than this are withheld from the equity report. */
export const suppressionThreshold = 5;

const ratio = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : numerator / denominator;

/**
 * Resolves the period and the unit subtree of a report. A unit outside the key's scope is reported
 * as not found; without `unitId` a scoped key gets its own subtree.
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

function toClosureFigures(row: FigureRow): ClosureFigures {
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
  };
}

/** GET /v1/reports/closure: every figure is computed by PostgreSQL; only the totals and groups come back. */
export async function closureReport(db: Database, principal: Principal, query: ClosureQuery): Promise<ClosureReport> {
  const population = await populationFor(db, principal, query);
  const { totals, groups } = await closureFigures(db, population, query.groupBy);
  return {
    period: periodOf(population),
    groupBy: query.groupBy ?? null,
    totals: toClosureFigures(totals),
    groups: groups.map((row) => ({
      key: row.key as string,
      ...(query.groupBy === 'unit' ? { unitCode: row.unitCode ?? '', unitName: row.unitName ?? '' } : {}),
      ...toClosureFigures(row),
    })),
  };
}

/** GET /v1/reports/themes. */
export async function themesReport(db: Database, principal: Principal, query: ReportQuery): Promise<ThemesReport> {
  const population = await populationFor(db, principal, query);
  const rows = await themeMonths(db, population);
  return {
    period: periodOf(population),
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

interface EquityCell {
  key: string | null;
  row: FigureRow;
  received: boolean;
  closed: boolean;
  withinTarget: boolean;
}

/** Rules 1–3 of the suppression method (see equityDefinitions): cells counting fewer than 5 people. */
function primarySuppression(key: string | null, row: FigureRow): EquityCell {
  const received = row.received < suppressionThreshold;
  const closed = received || row.closed < suppressionThreshold;
  const withinTarget = closed || row.closedWithinTarget < suppressionThreshold;
  return { key, row, received, closed, withinTarget };
}

/**
 * Rule 4: where exactly one group of a column is withheld and the column's total is shown, the
 * smallest shown group is withheld too (else the total), so no withheld count equals total − shown.
 */
function secondarySuppression(totals: EquityCell, groups: EquityCell[], column: 'received' | 'closed'): void {
  if (totals[column]) return;
  const withheld = groups.filter((cell) => cell[column]);
  if (withheld.length !== 1) return;
  const shown = groups
    .filter((cell) => !cell[column])
    .sort((a, b) => a.row[column] - b.row[column] || String(a.key).localeCompare(String(b.key)));
  const next = shown[0];
  const target = next ?? totals;
  if (column === 'received') target.received = true;
  target.closed = true;
  target.withinTarget = true;
}

function toEquityFigures(cell: EquityCell): EquityFigures {
  const { row } = cell;
  return {
    received: cell.received ? null : row.received,
    closed: cell.closed ? null : row.closed,
    closureRate: cell.closed ? null : ratio(row.closed, row.received),
    closedWithinTargetRate: cell.withinTarget ? null : ratio(row.closedWithinTarget, row.closed),
    medianDaysToClose: cell.closed ? null : row.medianDays,
    suppressed: cell.received || cell.closed || cell.withinTarget,
  };
}

/** GET /v1/reports/equity: aggregates from PostgreSQL, then small-number suppression here. */
export async function equityReport(db: Database, principal: Principal, query: EquityQuery): Promise<EquityReport> {
  const population = await populationFor(db, principal, query);
  const figures = await equityFigures(db, population, query.characteristic);
  const totals = primarySuppression(null, figures.totals);
  const groups = figures.groups.map((row) => primarySuppression(row.key, row));
  secondarySuppression(totals, groups, 'received');
  secondarySuppression(totals, groups, 'closed');
  return {
    period: periodOf(population),
    characteristic: query.characteristic,
    totals: toEquityFigures(totals),
    groups: groups.map((cell): EquityGroup => ({ key: cell.key as string, ...toEquityFigures(cell) })),
  };
}
