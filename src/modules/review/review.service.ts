import type { Queryable } from '../../db/client.js';
import { cursorKeys, decodeCursor, toPage } from '../../http/pagination.js';
import { notFound } from '../../http/problems.js';
import type { Principal } from '../auth/auth.service.js';
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

const scopeOf = (principal: Principal, unitId?: string): string[] =>
  [principal.unitId, unitId].filter((id): id is string => Boolean(id));

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
  const key = decodeCursor(query.cursor, cursorKeys.timeAndId);
  const rows = await listReviewRows(
    db,
    {
      within: scopeOf(principal, query.unitId),
      status: query.status,
      kind: query.kind,
      channel: query.channel,
      theme: query.theme,
      receivedFrom: query.receivedFrom ? new Date(query.receivedFrom) : undefined,
      receivedTo: query.receivedTo ? new Date(query.receivedTo) : undefined,
    },
    query.limit,
    key && { receivedAt: key[0], id: key[1] },
  );
  const page = toPage(
    rows,
    query.limit,
    (row) => row,
    (row) => [row.receivedAt.toISOString(), row.id],
  );
  return { items: await toReviewItems(db, page.items), nextCursor: page.nextCursor };
}

/**
 * GET /v1/review/feedback/{id}: one item as the panel reads it. An item the principal may not
 * review (no consent, flagged, erased, outside its scope, or none at all) is the same 404, so the
 * answer never tells that a hidden item exists.
 */
export async function getReviewItem(db: Queryable, principal: Principal, id: string): Promise<ReviewItem> {
  const [row] = await findReviewRows(db, [id], scopeOf(principal));
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
  const rows = await findReviewRows(db, ids, scopeOf(principal, unitId));
  return new Set(rows.map((row) => row.id));
}
