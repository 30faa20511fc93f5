import { and, asc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { feedbackItems, replies, units } from '../../db/schema/index.js';
import { unitColumnWithin } from '../units/units.repository.js';

const replyColumns = {
  id: replies.id,
  feedbackId: replies.feedbackId,
  transitionId: replies.transitionId,
  kind: replies.kind,
  channel: replies.channel,
  status: replies.status,
  attempts: replies.attempts,
  createdAt: replies.createdAt,
  sentAt: replies.sentAt,
  handedOverAt: replies.handedOverAt,
  lastError: replies.lastError,
  supportNeeded: replies.supportNeeded,
  easyRead: replies.easyRead,
  largePrint: replies.largePrint,
};

export type ReplyRow = Pick<typeof replies.$inferSelect, keyof typeof replyColumns>;

/**
 * A page of an item's replies in the order of what they tell of (the receipt, then each close), after
 * the `transitionId` cursor; `limit + 1` rows, so the caller knows whether there is more.
 */
export async function listReplyRows(
  db: Queryable,
  feedbackId: string,
  limit: number,
  afterTransitionId?: number,
): Promise<ReplyRow[]> {
  return db
    .select(replyColumns)
    .from(replies)
    .where(
      and(
        eq(replies.feedbackId, feedbackId),
        afterTransitionId === undefined ? undefined : gt(replies.transitionId, afterTransitionId),
      ),
    )
    .orderBy(asc(replies.transitionId))
    .limit(limit + 1);
}

/** One reply of the item, or undefined; `lock` holds its row until the caller's transaction ends. */
export async function findReply(
  db: Queryable,
  feedbackId: string,
  replyId: string,
  options: { lock?: boolean } = {},
): Promise<ReplyRow | undefined> {
  const query = db
    .select(replyColumns)
    .from(replies)
    .where(and(eq(replies.id, replyId), eq(replies.feedbackId, feedbackId)))
    .limit(1);
  const [row] = options.lock ? await query.for('update') : await query;
  return row;
}

/** Records that staff gave the reply to the person; any lease a sender held on it ends. */
export async function markHandedOver(tx: Queryable, replyId: string): Promise<ReplyRow> {
  const [row] = await tx
    .update(replies)
    .set({ status: 'handed_over', handedOverAt: sql`now()`, leaseToken: null, leaseUntil: null })
    .where(eq(replies.id, replyId))
    .returning(replyColumns);
  return row!;
}

/** A reply waiting for staff, with what says which item it is: its reference and unit name, never its words. */
export type WaitingReplyRow = ReplyRow & { reference: string; unitName: string };

/**
 * Replies waiting for staff (`waitsForStaff` in replies.service.ts says the same in TypeScript): an
 * in-person reply still queued, or an email, SMS or letter that failed or had no provider. Of the
 * items in `withinUnitId`'s subtree (every unit when null) that are not erased, oldest first by the
 * `transitionId` cursor; `limit + 1` rows, so the caller knows whether there is more.
 */
export async function listWaitingReplyRows(
  db: Queryable,
  withinUnitId: string | null,
  limit: number,
  afterTransitionId?: number,
): Promise<WaitingReplyRow[]> {
  return db
    .select({ ...replyColumns, reference: feedbackItems.reference, unitName: units.name })
    .from(replies)
    .innerJoin(feedbackItems, eq(feedbackItems.id, replies.feedbackId))
    .innerJoin(units, eq(units.id, feedbackItems.unitId))
    .where(
      and(
        or(
          and(eq(replies.status, 'queued'), eq(replies.channel, 'in_person')),
          inArray(replies.status, ['failed', 'undeliverable']),
        ),
        isNull(feedbackItems.erasedAt),
        withinUnitId === null ? undefined : unitColumnWithin(feedbackItems.unitId, withinUnitId),
        afterTransitionId === undefined ? undefined : gt(replies.transitionId, afterTransitionId),
      ),
    )
    .orderBy(asc(replies.transitionId))
    .limit(limit + 1);
}

/** The item a reply belongs to, or undefined when there is no such reply. */
export async function findReplyFeedbackId(db: Queryable, replyId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ feedbackId: replies.feedbackId })
    .from(replies)
    .where(eq(replies.id, replyId))
    .limit(1);
  return row?.feedbackId;
}
