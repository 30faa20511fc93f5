import type { Database, Transaction } from '../../db/client.js';
import { illegalTransition, invalidField, notFound } from '../../http/problems.js';
import { appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { otherActionStatuses } from '../feedback/feedback-lifecycle.repository.js';
import { isClosed, type LockedItem, lockItems, type StatusMove } from '../feedback/feedback-lifecycle.service.js';
import { touchBoards } from '../units/units.board-version.js';
import { type ActionRow, deleteLink, insertLinks, updateAction } from './actions.repository.js';
import {
  assertInSubtree,
  changeAction,
  isLive,
  linkMove,
  moveLinkedItems,
  notInSubtree,
  unitsOf,
} from './actions-rules.js';

/**
 * The rest of a link or unlink, once the link row is written: the item's status moves, the action's
 * version (its `feedbackIds` changed), both boards, and the audit events last.
 */
async function finishLinkChange(
  tx: Transaction,
  principal: Principal,
  action: { id: string; unitId: string },
  item: LockedItem,
  moves: StatusMove[],
  auditAction: 'feedback_linked' | 'feedback_unlinked',
): Promise<void> {
  const entries = await moveLinkedItems(tx, moves, [item]);
  await updateAction(tx, action.id, {});
  await touchBoards(tx, unitsOf(action, [item]));
  await appendAudit(tx, actorOf(principal), [
    { entityType: 'action', entityId: action.id, action: auditAction, details: { feedbackId: item.id } },
    ...entries,
  ]);
}

/**
 * Links an item: an open one becomes `planned` under a live action, or `actioned` under a completed
 * one. Linking an item already linked changes nothing. Closed items must be reopened first; a
 * cancelled action takes no new links.
 */
export async function linkFeedback(
  db: Database,
  principal: Principal,
  actionId: string,
  feedbackId: string,
  ifMatch?: string,
): Promise<ActionRow> {
  return changeAction(db, principal, actionId, { ifMatch }, async (tx, action) => {
    const item = (await lockItems(tx, principal, [feedbackId])).get(feedbackId);
    if (!item) throw notFound('Feedback item');
    if (action.feedbackIds.includes(feedbackId)) return;
    if (action.status === 'cancelled') {
      throw illegalTransition('A cancelled action takes no new feedback; link the item to a live action');
    }
    assertInSubtree(item, action, () => invalidField('/feedbackId', notInSubtree(feedbackId), 'params'));
    if (isClosed(item.status)) {
      throw illegalTransition(
        `The item is closed (${item.status}); reopen it (POST /v1/feedback/${feedbackId}/reopen) before linking it to an action`,
      );
    }
    await insertLinks(tx, actionId, [feedbackId]);
    await finishLinkChange(tx, principal, action, item, [linkMove(action, item)], 'feedback_linked');
  });
}

/**
 * Unlinks an item. From a live action: a `planned` item with no other live action goes back to
 * `in_review`. From a completed action: refused while the item is `actioned` by that action alone
 * (reopen it first, so the answer people saw is never silently withdrawn). A cancelled action's
 * links are its record and stay.
 */
export async function unlinkFeedback(
  db: Database,
  principal: Principal,
  actionId: string,
  feedbackId: string,
  ifMatch?: string,
): Promise<ActionRow> {
  return changeAction(db, principal, actionId, { ifMatch }, async (tx, action) => {
    const item = (await lockItems(tx, principal, [feedbackId])).get(feedbackId);
    if (!item || !action.feedbackIds.includes(feedbackId)) throw notFound('A link between this action and item');
    if (action.status === 'cancelled') {
      throw illegalTransition('A cancelled action’s links are kept as its record and cannot be removed');
    }
    const others = (await otherActionStatuses(tx, [feedbackId], actionId)).get(feedbackId) ?? [];
    const moves: StatusMove[] = [];
    if (action.status === 'completed') {
      if (item.status === 'actioned' && !others.includes('completed')) {
        throw illegalTransition(
          `This completed action is what closed the item as actioned; reopen the item (POST /v1/feedback/${feedbackId}/reopen) before unlinking it`,
        );
      }
    } else if (item.status === 'planned' && !others.some(isLive)) {
      moves.push({ item, to: 'in_review', actionId, reason: 'unlinked from its only live action' });
    }
    await deleteLink(tx, actionId, feedbackId);
    await finishLinkChange(tx, principal, action, item, moves, 'feedback_unlinked');
  });
}
