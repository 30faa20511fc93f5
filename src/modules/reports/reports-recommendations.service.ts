import type { Reads } from '../../db/replica.js';
import { invalidField } from '../../http/problems.js';
import type { Principal } from '../auth/auth.service.js';
import { getVisibleUnit } from '../units/units.service.js';
import { twelveMonthsBefore } from './reports.service.js';
import { type RecommendationCountRow, recommendationCounts } from './reports-recommendations.repository.js';
import type {
  RecommendationFigures,
  RecommendationsReport,
  RecommendationsReportQuery,
} from './reports-recommendations.schemas.js';

function toFigures(row: RecommendationCountRow): RecommendationFigures {
  return {
    made: row.made,
    accepted: row.accepted,
    declined: row.declined,
    done: row.done,
    open: row.open,
    medianDaysToResponse: row.medianDaysToResponse,
    doneShare: row.accepted === 0 ? null : row.done / row.accepted,
  };
}

/** GET /v1/reports/recommendations. A unit outside the key's scope is not found; a scoped key gets its subtree. */
export async function recommendationsReport(
  reads: Reads,
  principal: Principal,
  query: RecommendationsReportQuery,
): Promise<RecommendationsReport> {
  const asOf = query.asOf ?? new Date();
  const to = query.to ?? asOf;
  const from = query.from ?? twelveMonthsBefore(to);
  if (!(from < to)) throw invalidField('/from', '`from` must be before `to`', 'querystring');
  const unitId = query.unitId ? (await getVisibleUnit(reads.primary, principal, query.unitId)).id : principal.unitId;
  const {
    value: { totals, groups },
    dataAsOf,
  } = await reads.fromReplica((db) => recommendationCounts(db, { from, to, asOf, unitId }, query.groupBy));
  return {
    period: { from: from.toISOString(), to: to.toISOString(), asOf: asOf.toISOString(), unitId },
    dataAsOf: dataAsOf.toISOString(),
    groupBy: query.groupBy ?? null,
    totals: toFigures(totals),
    groups: groups.map((row) => ({
      key: row.key ?? '',
      ...(query.groupBy === 'unit' ? { unitCode: row.unitCode ?? '', unitName: row.unitName ?? '' } : {}),
      ...toFigures(row),
    })),
  };
}
