import type { Database, Queryable } from '../../db/client.js';
import type { ReplyStatus } from '../../db/schema/enums.js';
import { inTransaction } from '../../db/transaction.js';
import { cursorKeys, decodeCursor, toPage } from '../../http/pagination.js';
import { forbidden, illegalTransition, notFound } from '../../http/problems.js';
import { appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { findFeedback, lockFeedback, type ScopedFeedbackRow } from '../feedback/feedback.repository.js';
import { principalSeesItem } from '../feedback/feedback-access.js';
import { buildReplyMessage, type ReplyMessage } from './replies.messages.js';
import {
  findReply,
  findReplyFeedbackId,
  listReplyRows,
  listWaitingReplyRows,
  markHandedOver,
  type ReplyRow,
} from './replies.repository.js';
import type { ListRepliesQuery, Reply } from './replies.schemas.js';
import { loadReplyContext } from './replies-delivery.repository.js';

export function toReply(row: ReplyRow): Reply {
  return {
    id: row.id,
    feedbackId: row.feedbackId,
    kind: row.kind,
    channel: row.channel,
    status: row.status,
    attempts: row.attempts,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    handedOverAt: row.handedOverAt?.toISOString() ?? null,
    lastError: row.lastError,
    supportNeeded: row.supportNeeded,
    easyRead: row.easyRead,
    largePrint: row.largePrint,
  };
}

/** The item when the key may see it (its unit subtree); otherwise the same 404 as for no item. */
async function visibleItem(db: Queryable, principal: Principal, id: string): Promise<ScopedFeedbackRow> {
  const item = await findFeedback(db, id);
  if (!item || !principalSeesItem(principal, item)) throw notFound('Feedback');
  return item;
}

/** GET /v1/feedback/{id}/replies: every reply of an item the key may see, with status and attempts. */
export async function listReplies(
  db: Database,
  principal: Principal,
  feedbackId: string,
  query: ListRepliesQuery,
): Promise<{ items: Reply[]; nextCursor: string | null }> {
  const after = decodeCursor(query.cursor, cursorKeys.sequence);
  await visibleItem(db, principal, feedbackId);
  const rows = await listReplyRows(db, feedbackId, query.limit, after?.[0]);
  return toPage(rows, query.limit, toReply, (row) => [row.transitionId]);
}

/** Waiting for staff: in person by design, or an email, SMS or letter that could not go. */
export const waitsForStaff = (reply: Pick<Reply, 'status' | 'channel'>): boolean =>
  (reply.status === 'queued' && reply.channel === 'in_person') ||
  reply.status === 'failed' ||
  reply.status === 'undeliverable';

/** Replies are staff work, as on the API (`roles: ['staff']`): their support needs are private. */
function assertMayHandReplies(principal: Principal): void {
  if (principal.role !== 'staff' && principal.role !== 'admin') {
    throw forbidden(`The ${principal.role} role may not see or hand over replies; roles that may: staff, admin`);
  }
}

/** A reply waiting for staff, with the item's reference and unit to find it by. */
export type WaitingReply = Reply & { reference: string; unitName: string };

/**
 * The replies waiting for staff across the principal's units, oldest first: the longest waiting are
 * the ones overdue. Only what says which item and what is needed; never the item's words.
 */
export async function listWaitingReplies(
  db: Database,
  principal: Principal,
  query: ListRepliesQuery,
): Promise<{ items: WaitingReply[]; nextCursor: string | null }> {
  assertMayHandReplies(principal);
  const after = decodeCursor(query.cursor, cursorKeys.sequence);
  const rows = await listWaitingReplyRows(db, principal.unitId, query.limit, after?.[0]);
  return toPage(
    rows,
    query.limit,
    (row) => ({ ...toReply(row), reference: row.reference, unitName: row.unitName }),
    (row) => [row.transitionId],
  );
}

/**
 * The item a reply belongs to, for pages that address a reply by its id alone. The caller then goes
 * through the item (getReplySlip, recordHandedOver), which checks the principal's units.
 */
export async function feedbackIdOfReply(db: Database, principal: Principal, replyId: string): Promise<string> {
  assertMayHandReplies(principal);
  const feedbackId = await findReplyFeedbackId(db, replyId);
  if (!feedbackId) throw notFound('Reply');
  return feedbackId;
}

/** One reply of an item the key may see; 404 when either is not there for this key. */
async function getVisibleReply(
  db: Queryable,
  principal: Principal,
  feedbackId: string,
  replyId: string,
): Promise<{ item: ScopedFeedbackRow; reply: ReplyRow }> {
  const item = await visibleItem(db, principal, feedbackId);
  const reply = await findReply(db, feedbackId, replyId);
  if (!reply) throw notFound('Reply');
  return { item, reply };
}

/** Statuses from which staff may hand a reply over, with why the others may not. */
function refuseHandOver(reply: ReplyRow): string | null {
  const refusals: Partial<Record<ReplyStatus, string>> = {
    sent: 'It was already sent; there is nothing to hand over',
    handed_over: 'It was already handed over',
    cancelled: 'It was cancelled (the person’s details were erased)',
  };
  const refusal = refusals[reply.status];
  if (refusal) return refusal;
  // A queued email, SMS or letter belongs to the sender, which may be sending it right now; staff
  // hand a reply over only when it is meant for them, or when sending it did not work.
  if (reply.status === 'queued' && reply.channel !== 'in_person') {
    return `It is queued to be sent by ${reply.channel}; it can be handed over only if sending fails or cannot be done`;
  }
  return null;
}

/**
 * POST /v1/feedback/{id}/replies/{replyId}/handed-over: staff gave the slip to the person. For an
 * in-person reply that is queued, and as the fallback for one that failed or could not be sent.
 * The database then counts the item as acknowledged (the first reply sent or handed over).
 */
export async function recordHandedOver(
  db: Database,
  principal: Principal,
  feedbackId: string,
  replyId: string,
): Promise<Reply> {
  return inTransaction(db, async (tx) => {
    // The item first, then the reply: the order erasure takes them in, so the two never deadlock.
    const item = await lockFeedback(tx, feedbackId);
    if (!item || !principalSeesItem(principal, item)) throw notFound('Feedback');
    const reply = await findReply(tx, feedbackId, replyId, { lock: true });
    if (!reply) throw notFound('Reply');
    const refusal = refuseHandOver(reply);
    if (refusal)
      throw illegalTransition(`This reply cannot be recorded as handed over: ${refusal} (status ${reply.status})`);
    if (item.erasedAt) {
      throw illegalTransition('This reply cannot be recorded as handed over: the person’s details were erased');
    }
    const updated = await markHandedOver(tx, replyId);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'reply',
      entityId: replyId,
      action: 'handed_over',
      details: { feedbackId, kind: reply.kind, channel: reply.channel, from: reply.status },
    });
    return toReply(updated);
  });
}

/** What the slip page shows: the reply's words, built from public-safe fields, and what staff must know. */
export interface ReplySlip {
  reply: Reply;
  reference: string;
  unitName: string;
  message: ReplyMessage;
}

/**
 * GET …/replies/{replyId}/slip: the reply's words for printing and handing over. A cancelled reply
 * (the item was erased) has no one to go to, so it has no slip.
 */
export async function getReplySlip(
  db: Database,
  principal: Principal,
  feedbackId: string,
  replyId: string,
  publicBaseUrl: string,
): Promise<ReplySlip> {
  const { item, reply } = await getVisibleReply(db, principal, feedbackId, replyId);
  const context = await loadReplyContext(db, replyId);
  if (!context || reply.status === 'cancelled' || item.erasedAt) {
    throw illegalTransition(
      'This reply was cancelled when the person’s details were erased: there is no slip to print',
    );
  }
  return {
    reply: toReply(reply),
    reference: context.facts.reference,
    unitName: context.facts.unitName,
    message: buildReplyMessage(context.facts, publicBaseUrl),
  };
}
