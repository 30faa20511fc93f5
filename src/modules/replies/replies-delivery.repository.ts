import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import type { Contact } from '../../db/schema/contact.js';
import type { ReplyChannel, ReplyStatus } from '../../db/schema/enums.js';
import { actions, decisions, feedbackItems, feedbackTransitions, replies, units } from '../../db/schema/index.js';

/**
 * What a reply may say: public-safe fields only (DESIGN section 5). Never the item's text, never
 * the contact, never anyone else's data; the message builder sees nothing else.
 */
export interface ReplyFacts {
  kind: 'acknowledgement' | 'answer';
  easyRead: boolean;
  largePrint: boolean;
  reference: string;
  unitName: string;
  /** The summary staff wrote of what the person said, when there is one. */
  youSaid: string | null;
  receivedAt: Date;
  /** When the service aims to answer by (the item's due date). */
  answerBy: Date;
  /** For an answer: what closed the item, as the closing status change names it. */
  answer: ReplyAnswer | null;
}

export type ReplyAnswer =
  | { type: 'we_did'; title: string; outcome: string | null; doneAt: Date | null }
  | { type: 'we_couldnt'; explanation: string; referredTo: string | null; decidedAt: Date };

export interface ReplyContext {
  id: string;
  feedbackId: string;
  channel: ReplyChannel;
  status: ReplyStatus;
  /** Why staff must hand it over (needs sending cannot meet), or null. */
  supportNeeded: string | null;
  facts: ReplyFacts;
  /** Private: read when sending, never put into the message. Null once the item is erased. */
  contact: Contact | null;
}

/**
 * Everything needed to send (or print) one reply, read fresh: the reply, its item and unit, and the
 * action or decision named by the status change it tells of. Undefined for an unknown id.
 */
export async function loadReplyContext(db: Queryable, replyId: string): Promise<ReplyContext | undefined> {
  const [row] = await db
    .select({
      id: replies.id,
      feedbackId: replies.feedbackId,
      kind: replies.kind,
      channel: replies.channel,
      status: replies.status,
      supportNeeded: replies.supportNeeded,
      easyRead: replies.easyRead,
      largePrint: replies.largePrint,
      reference: feedbackItems.reference,
      youSaid: feedbackItems.youSaid,
      receivedAt: feedbackItems.receivedAt,
      dueAt: feedbackItems.dueAt,
      contact: feedbackItems.contact,
      erasedAt: feedbackItems.erasedAt,
      unitName: units.name,
      toStatus: feedbackTransitions.toStatus,
      actionTitle: actions.title,
      actionOutcome: actions.outcome,
      actionCompletedAt: actions.completedAt,
      decisionExplanation: decisions.explanation,
      decisionReferredTo: decisions.referredTo,
      decidedAt: decisions.decidedAt,
    })
    .from(replies)
    .innerJoin(feedbackItems, eq(feedbackItems.id, replies.feedbackId))
    .innerJoin(units, eq(units.id, feedbackItems.unitId))
    .innerJoin(feedbackTransitions, eq(feedbackTransitions.id, replies.transitionId))
    .leftJoin(actions, eq(actions.id, feedbackTransitions.actionId))
    .leftJoin(decisions, eq(decisions.id, feedbackTransitions.decisionId))
    .where(eq(replies.id, replyId))
    .limit(1);
  if (!row) return undefined;
  let answer: ReplyAnswer | null = null;
  if (row.kind === 'answer' && row.toStatus === 'actioned' && row.actionTitle !== null) {
    answer = { type: 'we_did', title: row.actionTitle, outcome: row.actionOutcome, doneAt: row.actionCompletedAt };
  } else if (
    row.kind === 'answer' &&
    row.toStatus === 'not_actioned' &&
    row.decisionExplanation !== null &&
    row.decidedAt
  ) {
    answer = {
      type: 'we_couldnt',
      explanation: row.decisionExplanation,
      referredTo: row.decisionReferredTo,
      decidedAt: row.decidedAt,
    };
  }
  return {
    id: row.id,
    feedbackId: row.feedbackId,
    channel: row.channel,
    status: row.status,
    supportNeeded: row.supportNeeded,
    contact: row.erasedAt ? null : row.contact,
    facts: {
      kind: row.kind,
      easyRead: row.easyRead,
      largePrint: row.largePrint,
      reference: row.reference,
      unitName: row.unitName,
      youSaid: row.erasedAt ? null : row.youSaid,
      receivedAt: row.receivedAt,
      answerBy: row.dueAt,
      answer,
    },
  };
}

// The reply worker's queries.

export interface LeasedReply {
  id: string;
  leaseToken: string;
  attempts: number;
  createdAt: Date;
}

/**
 * Leases up to `limit` queued replies that are due, never in-person ones (staff hand those over).
 * SKIP LOCKED lets instances claim side by side; the lease (not a held transaction) keeps the claim
 * while the provider is called, and lapses by itself if the instance dies, so the reply is sent
 * again by whoever leases it next: at least once, and by one instance at a time.
 */
export async function leaseDueReplies(db: Queryable, limit: number, leaseMs: number): Promise<LeasedReply[]> {
  const rows = await rowsOf<{ id: string; lease_token: string; attempts: number; created_at: string | Date }>(
    db,
    sql`
    update replies r
    set lease_until = now() + ${leaseMs} * interval '1 millisecond', lease_token = gen_random_uuid()
    where r.id in (
      select id from replies
      where status = 'queued' and channel <> 'in_person' and next_attempt_at <= now()
        and (lease_until is null or lease_until < now())
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning r.id, r.lease_token, r.attempts, r.created_at`,
  );
  return rows.map((row) => ({
    id: row.id,
    leaseToken: row.lease_token,
    attempts: row.attempts,
    createdAt: new Date(row.created_at),
  }));
}

/**
 * True while this lease is still ours and the reply still queued (locks the row until the
 * transaction ends): one erased or handed over meanwhile is left as it is.
 */
export async function holdsReplyLease(tx: Queryable, id: string, token: string): Promise<boolean> {
  const rows = await tx
    .select({ id: replies.id })
    .from(replies)
    .where(and(eq(replies.id, id), eq(replies.leaseToken, token), eq(replies.status, 'queued')))
    .for('update');
  return rows.length > 0;
}

export type ReplyOutcome =
  | { status: 'sent'; providerReference: string }
  | { status: 'failed' | 'undeliverable' | 'cancelled'; lastError: string }
  | { status: 'queued'; lastError: string; nextAttemptAt: Date };

/** Writes what came of one attempt and hands the lease back. */
export async function recordReplyOutcome(
  tx: Queryable,
  id: string,
  attempts: number,
  outcome: ReplyOutcome,
): Promise<void> {
  await tx
    .update(replies)
    .set({
      attempts,
      status: outcome.status,
      leaseToken: null,
      leaseUntil: null,
      ...(outcome.status === 'sent'
        ? { sentAt: sql`now()`, providerReference: outcome.providerReference, lastError: null }
        : outcome.status === 'queued'
          ? { lastError: outcome.lastError, nextAttemptAt: outcome.nextAttemptAt }
          : { lastError: outcome.lastError }),
    })
    .where(eq(replies.id, id));
}

/** Hands a lease back unused (shutting down), so another instance may send the reply at once. */
export async function releaseReplyLease(db: Queryable, id: string, token: string): Promise<void> {
  await db
    .update(replies)
    .set({ leaseToken: null, leaseUntil: null })
    .where(and(eq(replies.id, id), eq(replies.leaseToken, token)));
}
