import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { replies } from '../../db/schema/index.js';

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
