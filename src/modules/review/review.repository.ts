import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import type { FeedbackStatus } from '../../db/schema/enums.js';
import { feedbackItems, units } from '../../db/schema/index.js';
import { withinUnit } from '../units/units.repository.js';

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

export interface ReviewFilters {
  /** Each of these units' subtrees (the key's scope and the `unitId` filter). */
  within: string[];
  status?: FeedbackStatus | undefined;
  kind?: string | undefined;
  channel?: string | undefined;
  theme?: string | undefined;
  receivedFrom?: Date | undefined;
  receivedTo?: Date | undefined;
}

const inSubtrees = (within: readonly string[]): SQL[] => within.map(withinUnit);

/** Newest first, (receivedAt, id) descending; `after` is the last row of the previous page. */
export async function listReviewRows(
  db: Queryable,
  filters: ReviewFilters,
  limit: number,
  after?: { receivedAt: string; id: string },
): Promise<ReviewRow[]> {
  const conditions: (SQL | undefined)[] = [
    reviewable,
    ...inSubtrees(filters.within),
    filters.status ? eq(feedbackItems.status, filters.status) : undefined,
    filters.kind ? sql`${feedbackItems.kind} = ${filters.kind}` : undefined,
    filters.channel ? sql`${feedbackItems.channel} = ${filters.channel}` : undefined,
    filters.theme ? sql`${feedbackItems.themes} @> array[${filters.theme}]::text[]` : undefined,
    filters.receivedFrom ? sql`${feedbackItems.receivedAt} >= ${filters.receivedFrom.toISOString()}` : undefined,
    filters.receivedTo ? sql`${feedbackItems.receivedAt} < ${filters.receivedTo.toISOString()}` : undefined,
    after
      ? sql`(${feedbackItems.receivedAt}, ${feedbackItems.id}) < (${after.receivedAt}::timestamptz, ${after.id}::uuid)`
      : undefined,
  ];
  const rows = await db
    .select(reviewColumns)
    .from(feedbackItems)
    .innerJoin(units, eq(units.id, feedbackItems.unitId))
    .where(and(...conditions))
    .orderBy(sql`${feedbackItems.receivedAt} desc nulls last, ${feedbackItems.id} desc nulls last`)
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
    .where(and(reviewable, inArray(feedbackItems.id, [...ids]), ...inSubtrees(within)));
  return rows as ReviewRow[];
}
