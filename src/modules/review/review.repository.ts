import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { feedbackItems, units } from '../../db/schema/index.js';
import {
  type ItemFilters,
  type ItemPageAfter,
  itemFilterConditions,
  newestItemsFirst,
} from '../feedback/feedback.repository.js';

/**
 * The one rule for what the panel may read: the person agreed to publication or to panel review,
 * staff wrote a summary, it is not erased, and it is not waiting for a person to look at what the
 * safeguarding screen flagged (as boards hold it back).
 */
const reviewable = sql`(${feedbackItems.publishConsent} or ${feedbackItems.reviewConsent})
  and ${feedbackItems.youSaid} is not null and btrim(${feedbackItems.youSaid}) <> ''
  and ${feedbackItems.erasedAt} is null and ${feedbackItems.safeguarding} <> 'flagged'`;

const reviewColumns = {
  id: feedbackItems.id,
  unitId: feedbackItems.unitId,
  unitName: units.name,
  youSaid: feedbackItems.youSaid,
  kind: feedbackItems.kind,
  themes: feedbackItems.themes,
  channel: feedbackItems.channel,
  status: feedbackItems.status,
  safeguarding: feedbackItems.safeguarding,
  receivedAt: feedbackItems.receivedAt,
  dueAt: feedbackItems.dueAt,
  closedAt: feedbackItems.closedAt,
};

export type ReviewRow = {
  [K in keyof typeof reviewColumns]: K extends 'unitName'
    ? string
    : K extends 'youSaid'
      ? string
      : (typeof feedbackItems.$inferSelect)[K & keyof typeof feedbackItems.$inferSelect];
};

/** Newest first, (receivedAt, id) descending; `after` is the last row of the previous page. */
export async function listReviewRows(
  db: Queryable,
  filters: ItemFilters,
  limit: number,
  after?: ItemPageAfter,
): Promise<ReviewRow[]> {
  const rows = await db
    .select(reviewColumns)
    .from(feedbackItems)
    .innerJoin(units, eq(units.id, feedbackItems.unitId))
    .where(and(reviewable, ...itemFilterConditions(filters, after)))
    .orderBy(newestItemsFirst)
    .limit(limit + 1);
  return rows as ReviewRow[];
}

/** The reviewable items among `ids` within every subtree of `within`. */
export async function findReviewRows(db: Queryable, ids: readonly string[], within: readonly string[]) {
  if (ids.length === 0) return [];
  const rows = await db
    .select(reviewColumns)
    .from(feedbackItems)
    .innerJoin(units, eq(units.id, feedbackItems.unitId))
    .where(and(reviewable, inArray(feedbackItems.id, [...ids]), ...itemFilterConditions({ within: [...within] })));
  return rows as ReviewRow[];
}
