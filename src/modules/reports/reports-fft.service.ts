import type { Reads } from '../../db/replica.js';
import { collectionModes } from '../../db/schema/enums.js';
import { invalidField } from '../../http/problems.js';
import type { Principal } from '../auth/auth.service.js';
import { londonMonth } from '../calendar/london-time.js';
import { type FftCounts, fftResponses, percentHalfUp, smallestShownCount } from '../feedback/fft.js';
import { getVisibleUnit } from '../units/units.service.js';
import { twelveMonthsBefore } from './reports.service.js';
import { type FftPopulation, type FftReturnRow, fftCounts, fftReturnCounts } from './reports-fft.repository.js';
import type { FftFigures, FftQuery, FftReport, FftReturnQuery } from './reports-fft.schemas.js';

/** The figures of one row: percentages of all responses, withheld below the small-numbers threshold. */
export function toFftFigures(counts: FftCounts): FftFigures {
  const responses = fftResponses(counts);
  const suppressed = responses < smallestShownCount;
  return {
    veryGood: counts.veryGood,
    good: counts.good,
    neitherGoodNorPoor: counts.neitherGoodNorPoor,
    poor: counts.poor,
    veryPoor: counts.veryPoor,
    dontKnow: counts.dontKnow,
    responses,
    positivePercent: suppressed ? null : percentHalfUp(counts.veryGood + counts.good, responses, 2),
    negativePercent: suppressed ? null : percentHalfUp(counts.poor + counts.veryPoor, responses, 2),
    suppressed,
  };
}

/** GET /v1/reports/fft. A unit outside the key's scope is not found; without `unitId` a scoped key gets its subtree. */
export async function fftReport(reads: Reads, principal: Principal, query: FftQuery): Promise<FftReport> {
  const asOf = query.asOf ?? new Date();
  const to = query.to ?? asOf;
  const from = query.from ?? twelveMonthsBefore(to);
  if (!(from < to)) throw invalidField('/from', '`from` must be before `to`', 'querystring');
  const unitId = query.unitId ? (await getVisibleUnit(reads.primary, principal, query.unitId)).id : principal.unitId;
  const population: FftPopulation = { from, to, asOf, unitId };
  const {
    value: { totals, groups },
    dataAsOf,
  } = await reads.fromReplica((db) => fftCounts(db, population, query.groupBy));
  return {
    period: { from: from.toISOString(), to: to.toISOString(), asOf: asOf.toISOString(), unitId },
    dataAsOf: dataAsOf.toISOString(),
    groupBy: query.groupBy ?? null,
    totals: toFftFigures(totals),
    groups: groups.map((row) => ({
      key: row.key as string,
      ...(query.groupBy === 'unit'
        ? { unitCode: row.unitCode ?? '', unitName: row.unitName ?? '', odsCode: row.odsCode }
        : {}),
      ...toFftFigures(row),
    })),
  };
}

export interface FftReturn {
  month: string;
  asOf: Date;
  dataAsOf: Date;
  rows: (FftReturnRow & { total: number })[];
}

const modeOrder = [...collectionModes, 'not_recorded'];

/**
 * GET /v1/reports/fft/return: the London month's responses per ODS code and collection mode, the
 * rows ordered by ODS code (responses without one last), unit code and the modes' order.
 */
export async function fftReturn(reads: Reads, principal: Principal, query: FftReturnQuery): Promise<FftReturn> {
  const asOf = query.asOf ?? new Date();
  const { value: rows, dataAsOf } = await reads.fromReplica((db) =>
    fftReturnCounts(db, { ...londonMonth(query.month), asOf, unitId: principal.unitId }),
  );
  rows.sort(
    (a, b) =>
      (a.odsCode === null ? 1 : 0) - (b.odsCode === null ? 1 : 0) ||
      (a.odsCode ?? '').localeCompare(b.odsCode ?? '') ||
      a.unitCode.localeCompare(b.unitCode) ||
      modeOrder.indexOf(a.collectionMode) - modeOrder.indexOf(b.collectionMode),
  );
  return { month: query.month, asOf, dataAsOf, rows: rows.map((row) => ({ ...row, total: fftResponses(row) })) };
}
