import type { Database, Transaction } from '../../db/client.js';
import { closedStatuses, type FeedbackStatus } from '../../db/schema/enums.js';
import { inTransaction } from '../../db/transaction.js';
import { checkIfMatch } from '../../http/etag.js';
import { illegalTransition, notFound } from '../../http/problems.js';
import { type AuditEntry, appendAudit } from '../audit/audit.service.js';
import { actorOf, apiKeyIdOf, type Principal } from '../auth/auth.service.js';
import { touchBoards } from '../units/units.board-version.js';
import { principalSees } from '../units/units.service.js';
import type { CreateDecision, Feedback } from './feedback.schemas.js';
import {
  insertDecision,
  type LockedItem,
  liveActionIds,
  lockFeedbackItems,
  setFeedbackStatus,
  supersedeCurrentDecision,
} from './feedback-lifecycle.repository.js';
import { getFeedbackItem } from './feedback-read.service.js';
import { recordTransitions } from './feedback-transitions.repository.js';

export type { LockedItem } from './feedback-lifecycle.repository.js';

export const isClosed = (status: FeedbackStatus): boolean => (closedStatuses as readonly string[]).includes(status);

/** A status change of one item, with what caused it (kept in its history). */
export interface StatusMove {
  item: LockedItem;
  to: FeedbackStatus;
  actionId?: string | null;
  decisionId?: string | null;
  reason?: string | null;
}

/**
 * Applies status moves inside the caller's transaction: the item row (status, closedAt, version),
 * its history (feedback_transitions), and returns the audit entries for the caller to append last.
 * Callers must hold the items' row locks (lockItems).
 */
export async function applyStatusMoves(tx: Transaction, moves: readonly StatusMove[]): Promise<AuditEntry[]> {
  const real = moves.filter((move) => move.item.status !== move.to);
  for (const move of real) await setFeedbackStatus(tx, move.item.id, move.to);
  await recordTransitions(
    tx,
    real.map((move) => ({
      feedbackId: move.item.id,
      fromStatus: move.item.status,
      toStatus: move.to,
      actionId: move.actionId ?? null,
      decisionId: move.decisionId ?? null,
      reason: move.reason ?? null,
    })),
  );
  return real.map((move) => ({
    entityType: 'feedback',
    entityId: move.item.id,
    action: 'status_changed',
    details: {
      from: move.item.status,
      to: move.to,
      ...(move.actionId ? { actionId: move.actionId } : {}),
      ...(move.decisionId ? { decisionId: move.decisionId } : {}),
    },
  }));
}

/** Locks items (id order) and returns those the principal may see, keyed by id. */
export async function lockItems(
  tx: Transaction,
  principal: Principal | null,
  ids: readonly string[],
): Promise<Map<string, LockedItem>> {
  const rows = await lockFeedbackItems(tx, [...new Set(ids)]);
  return new Map(rows.filter((row) => principalSees(principal, { path: row.unitPath })).map((row) => [row.id, row]));
}

async function lockOneItem(tx: Transaction, principal: Principal, id: string): Promise<LockedItem> {
  const item = (await lockItems(tx, principal, [id])).get(id);
  if (!item) throw notFound('Feedback item');
  return item;
}

/**
 * "We couldn't, because": closes an open item as `not_actioned` with a public explanation.
 * An item still linked to a live action must be unlinked first; a compliment closes through an
 * action ("we passed your thanks on"), never a decision not to act.
 */
export async function recordDecision(
  db: Database,
  principal: Principal,
  id: string,
  input: CreateDecision,
  ifMatch?: string,
): Promise<Feedback> {
  await inTransaction(db, async (tx) => {
    const item = await lockOneItem(tx, principal, id);
    checkIfMatch(ifMatch, item.version);
    if (isClosed(item.status)) {
      throw illegalTransition(
        `The item is already closed (${item.status}); reopen it (POST /v1/feedback/${id}/reopen) before recording a new decision`,
      );
    }
    const live = await liveActionIds(tx, id);
    if (live.length > 0) {
      throw illegalTransition(
        `The item is linked to a planned or in-progress action (${live.join(', ')}); unlink it first (DELETE /v1/actions/{actionId}/feedback/${id}) before deciding not to act`,
      );
    }
    if (item.kind === 'compliment') {
      throw illegalTransition(
        'A compliment closes through an action (for example "we passed your thanks to the team"), not a decision not to act',
      );
    }
    const decisionId = await insertDecision(tx, {
      feedbackId: id,
      reasonCode: input.reasonCode,
      explanation: input.explanation,
      referredTo: input.referredTo ?? null,
      keyId: apiKeyIdOf(principal),
    });
    const moves = await applyStatusMoves(tx, [{ item, to: 'not_actioned', decisionId }]);
    await touchBoards(tx, [item.unitId]);
    await appendAudit(tx, actorOf(principal), [
      {
        entityType: 'decision',
        entityId: decisionId,
        action: 'created',
        details: { feedbackId: id, reasonCode: input.reasonCode, fields: Object.keys(input).sort() },
      },
      ...moves,
    ]);
  });
  return getFeedbackItem(db, principal, id);
}

/**
 * Puts a closed item back to `in_review`: closedAt cleared, the current decision superseded (kept),
 * links to actions kept, and the reason written into the item's history.
 */
export async function reopenFeedback(
  db: Database,
  principal: Principal,
  id: string,
  reason: string,
  ifMatch?: string,
): Promise<Feedback> {
  await inTransaction(db, async (tx) => {
    const item = await lockOneItem(tx, principal, id);
    checkIfMatch(ifMatch, item.version);
    if (!isClosed(item.status)) {
      throw illegalTransition(
        `Only a closed item (actioned or not_actioned) can be reopened; this one is ${item.status}`,
      );
    }
    await appendAudit(tx, actorOf(principal), await reopenLockedItem(tx, item, reason));
  });
  return getFeedbackItem(db, principal, id);
}

/**
 * Reopens a closed item the caller has locked, inside the caller's transaction: the current decision
 * superseded (kept), the move to `in_review` with its reason in the item's history, the board
 * touched. Returns the audit entry for the caller to append last.
 */
export async function reopenLockedItem(tx: Transaction, item: LockedItem, reason: string): Promise<AuditEntry> {
  const supersededDecisionId = await supersedeCurrentDecision(tx, item.id);
  await applyStatusMoves(tx, [{ item, to: 'in_review', reason }]);
  await touchBoards(tx, [item.unitId]);
  // The reason stays in the item's history only: free text may name people, the audit trail must not.
  return {
    entityType: 'feedback',
    entityId: item.id,
    action: 'reopened',
    details: {
      from: item.status,
      to: 'in_review',
      ...(supersededDecisionId ? { supersededDecisionId } : {}),
    },
  };
}
