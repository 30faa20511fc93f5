import type { Queryable } from '../../db/client.js';
import { afterTimeAndId, timeAndIdPage } from '../../http/pagination.js';
import { notFound } from '../../http/problems.js';
import type { Principal } from '../auth/auth.service.js';
import { itemFiltersOf } from '../feedback/feedback-read.service.js';
import { publicAnswers } from '../tracking/tracking.service.js';
import { findReviewRows, listReviewRows, type ReviewRow } from './review.repository.js';
import type { ReviewFeedbackQuery, ReviewItem } from './review.schemas.js';

async function toReviewItems(db: Queryable, rows: ReviewRow[]): Promise<ReviewItem[]> {
  const answers = await publicAnswers(db, rows);
  return rows.map((row) => ({
    id: row.id,
    unitId: row.unitId,
    unitName: row.unitName,
    youSaid: row.youSaid,
    kind: row.kind,
    themes: row.themes,
    channel: row.channel,
    status: row.status,
    receivedAt: row.receivedAt.toISOString(),
    dueAt: row.dueAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    answer: answers.get(row.id) ?? null,
  }));
}

/**
 * GET /v1/review/feedback: a page of the de-identified feedback the principal may review, newest
 * first: within its unit scope, and only items whose person agreed to publication or to panel
 * review, with a summary, not erased and not held by the safeguarding screen. Reads nothing private,
 * so it writes no audit event. The pages under /review/ call this with the same query.
 */
export async function listReviewFeedback(
  db: Queryable,
  principal: Principal,
  query: ReviewFeedbackQuery,
): Promise<{ items: ReviewItem[]; nextCursor: string | null }> {
  const after = afterTimeAndId(query.cursor, 'receivedAt');
  const rows = await listReviewRows(db, itemFiltersOf(principal, query), query.limit, after);
  const page = timeAndIdPage(rows, query.limit, 'receivedAt', (row) => row);
  return { items: await toReviewItems(db, page.items), nextCursor: page.nextCursor };
}

/**
 * GET /v1/review/feedback/{id}: one item as the panel reads it. An item the principal may not
 * review (no consent, flagged, erased, outside its scope, or none at all) is the same 404, so the
 * answer never tells that a hidden item exists.
 */
export async function getReviewItem(db: Queryable, principal: Principal, id: string): Promise<ReviewItem> {
  const [row] = await findReviewRows(db, [id], itemFiltersOf(principal, {}).within);
  if (!row) throw notFound('Feedback');
  const [item] = await toReviewItems(db, [row]);
  return item!;
}

/**
 * Of `ids`, those the principal may read in the review list (within `unitId`'s subtree too, when
 * given); recommendations may quote only these.
 */
export async function reviewableIds(
  db: Queryable,
  principal: Principal,
  ids: readonly string[],
  unitId?: string,
): Promise<Set<string>> {
  const rows = await findReviewRows(db, ids, itemFiltersOf(principal, { unitId }).within);
  return new Set(rows.map((row) => row.id));
}
