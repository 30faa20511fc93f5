import type { Database, Queryable } from '../../db/client.js';
import type { FollowUpAnswer } from '../../db/schema/enums.js';
import { inTransaction } from '../../db/transaction.js';
import { cursorKeys, decodeCursor, toPage } from '../../http/pagination.js';
import { conflict, illegalTransition, notFound } from '../../http/problems.js';
import { type Actor, type AuditEntry, appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { findFeedback } from '../feedback/feedback.repository.js';
import { principalSeesItem } from '../feedback/feedback-access.js';
import { isClosed, lockItems, reopenLockedItem } from '../feedback/feedback-lifecycle.service.js';
import { parseReference } from '../feedback/reference.js';
import {
  followUpForClose,
  insertFollowUp,
  itemByReference,
  type ListedFollowUpRow,
  latestClose,
  latestFollowUp,
  listFollowUpRows,
} from './follow-ups.repository.js';
import type { CreateFollowUp, FollowUp, FollowUpReceipt, ListFollowUpsQuery } from './follow-ups.schemas.js';

/** Who the audit trail names for a follow-up: the person, known only by holding the reference. */
export const personActor: Actor = { keyId: null, name: 'the person who gave the feedback (by its reference)' };

/** The history reason of a reopen caused by a `no`, in the words DESIGN section 5 gives. */
export const followUpReopenReason = 'the person said the answer did not help';

/** The same 404 as tracking's, so a wrong reference and a malformed one cannot be told apart. */
const unknownReference = () => notFound('Feedback with that reference');

/**
 * "Did this answer you?" by the reference: one answer per close of the item (the latest one), only
 * while it is closed. A `no` reopens it in the same transaction. The comment is kept privately and
 * goes nowhere else: not in the audit details, not in the `feedback.follow_up` event.
 */
export async function answerFollowUp(db: Database, reference: string, input: CreateFollowUp): Promise<FollowUpReceipt> {
  const normalised = parseReference(reference);
  if (!normalised) throw unknownReference();
  return inTransaction(db, async (tx) => {
    const found = await itemByReference(tx, normalised);
    if (!found) throw unknownReference();
    const item = (await lockItems(tx, null, [found.id])).get(found.id);
    if (!item) throw unknownReference();
    const close = isClosed(item.status) ? await latestClose(tx, item.id) : undefined;
    if (!close) {
      throw illegalTransition(
        'We can ask whether our answer helped only once the feedback has been answered (closed); this feedback is still open',
      );
    }
    if (await followUpForClose(tx, close.transitionId)) {
      throw conflict('An answer to "Did this answer you?" was already given for this answer; one is kept per answer');
    }
    // After erasure nothing new and private is kept about the person: the answer counts, the words do not.
    const comment = found.erased ? null : input.comment || null;
    const followUp = await insertFollowUp(tx, {
      feedbackId: item.id,
      closingTransitionId: close.transitionId,
      answer: input.answer,
      comment,
    });
    const audit: AuditEntry[] = [
      {
        entityType: 'follow_up',
        entityId: followUp.id,
        action: 'created',
        details: { feedbackId: item.id, answer: input.answer, fields: comment ? ['answer', 'comment'] : ['answer'] },
      },
    ];
    const reopened = input.answer === 'no';
    if (reopened) audit.push(await reopenLockedItem(tx, item, followUpReopenReason));
    await appendAudit(tx, personActor, audit);
    return {
      reference: normalised,
      answer: followUp.answer,
      answeredAt: followUp.answeredAt.toISOString(),
      status: reopened ? 'in_review' : item.status,
      reopened,
    };
  });
}

/** What the tracking page offers: the question, a thank-you for the answer given, or nothing. */
export type FollowUpState = { ask: true } | { ask: false; answer: FollowUpAnswer; reopened: boolean };

/**
 * For the tracking page: a closed item not yet answered for this close is asked; one answered is
 * thanked; one a `no` reopened says so until it closes again. Null when there is nothing to say.
 */
export async function followUpState(db: Queryable, reference: string): Promise<FollowUpState | null> {
  const normalised = parseReference(reference);
  const item = normalised ? await itemByReference(db, normalised) : undefined;
  if (!item) return null;
  if (isClosed(item.status)) {
    const close = await latestClose(db, item.id);
    const given = close && (await followUpForClose(db, close.transitionId));
    return given ? { ask: false, answer: given.answer, reopened: false } : { ask: true };
  }
  const last = await latestFollowUp(db, item.id);
  const close = await latestClose(db, item.id);
  return last?.answer === 'no' && last.closingTransitionId === close?.transitionId
    ? { ask: false, answer: 'no', reopened: true }
    : null;
}

function toFollowUp(row: ListedFollowUpRow): FollowUp {
  return {
    id: row.id,
    feedbackId: row.feedbackId,
    answer: row.answer,
    comment: row.comment,
    answeredAt: row.answeredAt.toISOString(),
    closedAt: row.closedAt.toISOString(),
    replyId: row.replyId,
  };
}

/** GET /v1/feedback/{id}/follow-ups: the person's answers, with their comments; reading a comment is audited. */
export async function listFollowUps(
  db: Database,
  principal: Principal,
  feedbackId: string,
  query: ListFollowUpsQuery,
): Promise<{ items: FollowUp[]; nextCursor: string | null }> {
  const after = decodeCursor(query.cursor, cursorKeys.sequence);
  const item = await findFeedback(db, feedbackId);
  if (!item || !principalSeesItem(principal, item)) throw notFound('Feedback');
  const rows = await listFollowUpRows(db, feedbackId, query.limit, after?.[0]);
  const page = toPage(rows, query.limit, toFollowUp, (row) => [row.closingTransitionId]);
  const withComments = page.items.filter((followUp) => followUp.comment !== null).map((followUp) => followUp.id);
  if (withComments.length > 0) {
    await inTransaction(db, (tx) =>
      appendAudit(tx, actorOf(principal), {
        entityType: 'feedback',
        entityId: feedbackId,
        action: 'follow_up_comments_read',
        details: { fields: ['comment'], followUpIds: withComments },
      }),
    );
  }
  return page;
}
