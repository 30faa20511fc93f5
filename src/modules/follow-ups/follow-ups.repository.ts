import { and, asc, desc, eq, gt, inArray } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import type { FeedbackStatus, FollowUpAnswer } from '../../db/schema/enums.js';
import { closedStatuses } from '../../db/schema/enums.js';
import { feedbackItems, feedbackTransitions, followUps, replies } from '../../db/schema/index.js';

/** The item with this (normalised) reference, as much as a follow-up needs, or undefined. */
export async function itemByReference(
  db: Queryable,
  reference: string,
): Promise<{ id: string; status: FeedbackStatus; erased: boolean } | undefined> {
  const [row] = await db
    .select({ id: feedbackItems.id, status: feedbackItems.status, erasedAt: feedbackItems.erasedAt })
    .from(feedbackItems)
    .where(eq(feedbackItems.reference, reference))
    .limit(1);
  return row && { id: row.id, status: row.status, erased: row.erasedAt !== null };
}

export interface CloseRow {
  transitionId: number;
  closedAt: Date;
}

/** The item's latest move to a closed status: the close whose answer a follow-up is about. */
export async function latestClose(db: Queryable, feedbackId: string): Promise<CloseRow | undefined> {
  const [row] = await db
    .select({ transitionId: feedbackTransitions.id, closedAt: feedbackTransitions.at })
    .from(feedbackTransitions)
    .where(
      and(eq(feedbackTransitions.feedbackId, feedbackId), inArray(feedbackTransitions.toStatus, [...closedStatuses])),
    )
    .orderBy(desc(feedbackTransitions.id))
    .limit(1);
  return row;
}

export interface FollowUpRow {
  id: string;
  feedbackId: string;
  closingTransitionId: number;
  answer: FollowUpAnswer;
  comment: string | null;
  answeredAt: Date;
}

const followUpColumns = {
  id: followUps.id,
  feedbackId: followUps.feedbackId,
  closingTransitionId: followUps.closingTransitionId,
  answer: followUps.answer,
  comment: followUps.comment,
  answeredAt: followUps.answeredAt,
};

/** The follow-up given for one close, if any. */
export async function followUpForClose(db: Queryable, closingTransitionId: number): Promise<FollowUpRow | undefined> {
  const [row] = await db
    .select(followUpColumns)
    .from(followUps)
    .where(eq(followUps.closingTransitionId, closingTransitionId))
    .limit(1);
  return row;
}

/** The item's most recent follow-up, if any. */
export async function latestFollowUp(db: Queryable, feedbackId: string): Promise<FollowUpRow | undefined> {
  const [row] = await db
    .select(followUpColumns)
    .from(followUps)
    .where(eq(followUps.feedbackId, feedbackId))
    .orderBy(desc(followUps.closingTransitionId))
    .limit(1);
  return row;
}

export async function insertFollowUp(
  tx: Queryable,
  values: { feedbackId: string; closingTransitionId: number; answer: FollowUpAnswer; comment: string | null },
): Promise<FollowUpRow> {
  const [row] = await tx.insert(followUps).values(values).returning(followUpColumns);
  return row!;
}

export type ListedFollowUpRow = FollowUpRow & { closedAt: Date; replyId: string | null };

/** A page of an item's follow-ups, oldest close first, after the closing-transition cursor; `limit + 1` rows. */
export async function listFollowUpRows(
  db: Queryable,
  feedbackId: string,
  limit: number,
  afterClosingTransitionId?: number,
): Promise<ListedFollowUpRow[]> {
  return db
    .select({ ...followUpColumns, closedAt: feedbackTransitions.at, replyId: replies.id })
    .from(followUps)
    .innerJoin(feedbackTransitions, eq(feedbackTransitions.id, followUps.closingTransitionId))
    .leftJoin(replies, eq(replies.transitionId, followUps.closingTransitionId))
    .where(
      and(
        eq(followUps.feedbackId, feedbackId),
        afterClosingTransitionId === undefined
          ? undefined
          : gt(followUps.closingTransitionId, afterClosingTransitionId),
      ),
    )
    .orderBy(asc(followUps.closingTransitionId))
    .limit(limit + 1);
}
