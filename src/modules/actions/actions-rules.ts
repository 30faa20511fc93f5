// What every change to an action shares: which states are live, the skeleton each verb runs in,
// and the rules of linking feedback that both creating and linking apply.
import type { Database, Transaction } from '../../db/client.js';
import type { ActionStatus } from '../../db/schema/enums.js';
import { inTransaction } from '../../db/transaction.js';
import { checkIfMatch, requireIfMatch } from '../../http/etag.js';
import { type HttpProblem, illegalTransition, notFound } from '../../http/problems.js';
import type { AuditEntry } from '../audit/audit.service.js';
import type { Principal } from '../auth/auth.service.js';
import { bumpFeedbackVersions } from '../feedback/feedback-lifecycle.repository.js';
import { applyStatusMoves, type LockedItem, type StatusMove } from '../feedback/feedback-lifecycle.service.js';
import { principalSees } from '../units/units.service.js';
import { type ActionRow, findAction, lockAction } from './actions.repository.js';

const liveStatuses: readonly ActionStatus[] = ['planned', 'in_progress'];
export const isLive = (status: string): boolean => (liveStatuses as readonly string[]).includes(status);

/** What a verb on an existing action asks of it before `change` runs. */
interface ActionPreconditions {
  ifMatch: string | undefined;
  /** Edits need If-Match (428 without); the verbs check it only when sent. */
  requireIfMatch?: boolean;
  /** Why the action's state refuses this verb, if it does; checked after If-Match, before any write. */
  refuse?: (action: ActionRow) => string | undefined;
}

/**
 * The skeleton of every change to an existing action, written once: one transaction (run again on
 * deadlock), the action locked and in the principal's scope, If-Match, the state guard, `change`,
 * and the action read again after commit.
 */
export async function changeAction(
  db: Database,
  principal: Principal,
  id: string,
  preconditions: ActionPreconditions,
  change: (tx: Transaction, action: ActionRow) => Promise<void>,
): Promise<ActionRow> {
  await inTransaction(db, async (tx) => {
    const action = await lockAction(tx, id);
    if (!action || !principalSees(principal, { path: action.unitPath })) throw notFound('Action');
    (preconditions.requireIfMatch ? requireIfMatch : checkIfMatch)(preconditions.ifMatch, action.version);
    const refused = preconditions.refuse?.(action);
    if (refused !== undefined) throw illegalTransition(refused);
    await change(tx, action);
  });
  return (await findAction(db, id))!;
}

/** An action answers feedback about its own unit or the units below it, never a sibling's. */
export function assertInSubtree(item: LockedItem, action: { unitId: string }, where: () => HttpProblem): void {
  if (!item.unitPath.includes(action.unitId)) throw where();
}

export const notInSubtree = (feedbackId: string) =>
  `Feedback item ${feedbackId} belongs to a unit outside the action’s unit subtree; an action answers feedback about its own unit or the units below it`;

/**
 * The move an item makes when linked: to `planned` under a live action, to `actioned` (closed) under a
 * completed one, since that action already answers it. Callers refuse closed items first.
 */
export function linkMove(action: { id: string; status: ActionStatus }, item: LockedItem): StatusMove {
  return { item, to: action.status === 'completed' ? 'actioned' : 'planned', actionId: action.id };
}

/** Applies moves and bumps the version of linked items whose status stayed (their `actionIds` changed). */
export async function moveLinkedItems(
  tx: Transaction,
  moves: StatusMove[],
  touched: LockedItem[],
): Promise<AuditEntry[]> {
  const entries = await applyStatusMoves(tx, moves);
  const moved = new Set(moves.filter((m) => m.item.status !== m.to).map((m) => m.item.id));
  await bumpFeedbackVersions(
    tx,
    touched.filter((item) => !moved.has(item.id)).map((item) => item.id),
  );
  return entries;
}

export const unitsOf = (action: { unitId: string }, items: Iterable<LockedItem>): string[] => [
  ...new Set([action.unitId, ...[...items].map((item) => item.unitId)]),
];
