import { sql } from 'drizzle-orm';
import type { Database, Transaction } from '../../db/client.js';
import type { ActionStatus } from '../../db/schema/enums.js';
import { checkIfMatch, requireIfMatch } from '../../http/etag.js';
import { cursorKeys, decodeCursor, toPage } from '../../http/pagination.js';
import { type HttpProblem, illegalTransition, invalidField, notFound } from '../../http/problems.js';
import { type AuditEntry, appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { touchBoards } from '../boards/board-version.js';
import { bumpFeedbackVersions, otherActionStatuses } from '../feedback/feedback-lifecycle.repository.js';
import {
  applyStatusMoves,
  inTransaction,
  isClosed,
  type LockedItem,
  lockItems,
  type StatusMove,
} from '../feedback/feedback-lifecycle.service.js';
import { findUnit } from '../units/units.repository.js';
import { principalSees } from '../units/units.service.js';
import {
  type ActionRow,
  deleteLink,
  findAction,
  insertAction,
  insertLinks,
  listActions,
  lockAction,
  updateAction,
} from './actions.repository.js';
import type {
  Action,
  CancelAction,
  CompleteAction,
  CreateAction,
  ListActionsQuery,
  UpdateAction,
} from './actions.schemas.js';

const liveStatuses: readonly ActionStatus[] = ['planned', 'in_progress'];
const isLive = (status: string): boolean => (liveStatuses as readonly string[]).includes(status);

export function toAction(row: ActionRow): Action {
  return {
    id: row.id,
    unitId: row.unitId,
    title: row.title,
    description: row.description,
    status: row.status,
    plannedFor: row.plannedFor,
    owner: row.owner,
    coproduction: { level: row.coproductionLevel, livedExperienceCount: row.livedExperienceCount },
    feedbackIds: row.feedbackIds,
    outcome: row.outcome,
    completedAt: row.completedAt?.toISOString() ?? null,
    cancelledAt: row.cancelledAt?.toISOString() ?? null,
    cancelReason: row.cancelReason,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Reads an action the principal may see; one outside its scope is reported as not found. */
export async function getVisibleAction(db: Database, principal: Principal, id: string): Promise<ActionRow> {
  const row = await findAction(db, id);
  if (!row || !principalSees(principal, { path: row.unitPath })) throw notFound('Action');
  return row;
}

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
async function changeAction(
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

export async function listVisibleActions(db: Database, principal: Principal, query: ListActionsQuery) {
  const { limit, cursor, unitId, status, feedbackId } = query;
  const key = decodeCursor(cursor, cursorKeys.timeAndId);
  const within = [principal.unitId, unitId].filter((id): id is string => Boolean(id));
  const rows = await listActions(db, { within, status, feedbackId }, limit, key && { createdAt: key[0], id: key[1] });
  return toPage(rows, limit, toAction, (row) => [row.createdAt.toISOString(), row.id]);
}

/** An action answers feedback about its own unit or the units below it, never a sibling's. */
function assertInSubtree(item: LockedItem, action: { unitId: string }, where: () => HttpProblem): void {
  if (!item.unitPath.includes(action.unitId)) throw where();
}

const notInSubtree = (feedbackId: string) =>
  `Feedback item ${feedbackId} belongs to a unit outside the action’s unit subtree; an action answers feedback about its own unit or the units below it`;

/**
 * The move an item makes when linked: to `planned` under a live action, to `actioned` (closed) under a
 * completed one, since that action already answers it. Callers refuse closed items first.
 */
function linkMove(action: { id: string; status: ActionStatus }, item: LockedItem): StatusMove {
  return { item, to: action.status === 'completed' ? 'actioned' : 'planned', actionId: action.id };
}

/** Applies moves and bumps the version of linked items whose status stayed (their `actionIds` changed). */
async function moveLinkedItems(tx: Transaction, moves: StatusMove[], touched: LockedItem[]): Promise<AuditEntry[]> {
  const entries = await applyStatusMoves(tx, moves);
  const moved = new Set(moves.filter((m) => m.item.status !== m.to).map((m) => m.item.id));
  await bumpFeedbackVersions(
    tx,
    touched.filter((item) => !moved.has(item.id)).map((item) => item.id),
  );
  return entries;
}

const unitsOf = (action: { unitId: string }, items: Iterable<LockedItem>): string[] => [
  ...new Set([action.unitId, ...[...items].map((item) => item.unitId)]),
];

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

export async function createAction(db: Database, principal: Principal, input: CreateAction): Promise<ActionRow> {
  const unit = await findUnit(db, input.unitId);
  if (!unit || !principalSees(principal, unit)) throw invalidField('/unitId', 'No such unit');
  const requested = input.feedbackIds ?? [];
  const feedbackIds = [...new Set(requested)];
  const status = input.status ?? 'planned';
  const id = await inTransaction(db, async (tx) => {
    const actionId = await insertAction(tx, {
      unitId: unit.id,
      title: input.title,
      description: input.description ?? null,
      status,
      plannedFor: input.plannedFor ?? null,
      owner: input.owner ?? null,
      coproductionLevel: input.coproduction?.level ?? 'none',
      livedExperienceCount: input.coproduction?.livedExperienceCount ?? 0,
    });
    const items = await lockItems(tx, principal, feedbackIds);
    const linked: LockedItem[] = [];
    for (const feedbackId of feedbackIds) {
      const path = `/feedbackIds/${requested.indexOf(feedbackId)}`;
      const item = items.get(feedbackId);
      if (!item) throw invalidField(path, 'No such feedback item');
      assertInSubtree(item, { unitId: unit.id }, () => invalidField(path, notInSubtree(feedbackId)));
      if (isClosed(item.status)) {
        throw illegalTransition(
          `Feedback item ${feedbackId} is closed (${item.status}); reopen it before linking it to an action`,
        );
      }
      linked.push(item);
    }
    await insertLinks(tx, actionId, feedbackIds);
    const entries = await moveLinkedItems(
      tx,
      linked.map((item) => linkMove({ id: actionId, status }, item)),
      linked,
    );
    await touchBoards(tx, unitsOf({ unitId: unit.id }, linked));
    await appendAudit(tx, actorOf(principal), [
      {
        entityType: 'action',
        entityId: actionId,
        action: 'created',
        details: { fields: Object.keys(input).sort(), status, feedbackIds },
      },
      ...entries,
    ]);
    return actionId;
  });
  return (await findAction(db, id))!;
}

/**
 * PATCH /v1/actions/{id}: edits a live action under the required If-Match. An edit that changes no
 * stored value writes nothing: no new version, no event, no audit entry.
 */
export async function updateVisibleAction(
  db: Database,
  principal: Principal,
  id: string,
  input: UpdateAction,
  ifMatch: string | undefined,
): Promise<ActionRow> {
  const refuse = (action: ActionRow) =>
    isLive(action.status)
      ? undefined
      : `A ${action.status} action is a closed record and cannot be edited; create a new action instead`;
  return changeAction(db, principal, id, { ifMatch, requireIfMatch: true, refuse }, async (tx, action) => {
    const { coproduction, ...plain } = input;
    const changedPlain = Object.fromEntries(
      Object.entries(plain).filter(([field, value]) => action[field as keyof typeof plain] !== value),
    ) as typeof plain;
    const coproductionChanged =
      coproduction !== undefined &&
      (coproduction.level !== action.coproductionLevel ||
        coproduction.livedExperienceCount !== action.livedExperienceCount);
    const fields = [...Object.keys(changedPlain), ...(coproductionChanged ? ['coproduction'] : [])].sort();
    if (fields.length === 0) return;
    await updateAction(tx, id, {
      ...changedPlain,
      ...(coproductionChanged
        ? { coproductionLevel: coproduction.level, livedExperienceCount: coproduction.livedExperienceCount }
        : {}),
    });
    await touchBoards(tx, [action.unitId]);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'action',
      entityId: id,
      action: 'updated',
      details: {
        fields,
        ...(changedPlain.status ? { from: action.status, to: changedPlain.status } : {}),
      },
    });
  });
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

/**
 * "We did": completes a live action; every linked open item becomes `actioned` with closedAt. An
 * open item whose unit has since moved out of the action's subtree (a ward moved to another site)
 * is not this action's to answer: completing is refused, naming those items, until they are
 * unlinked. Unlinking them quietly would change what their tracking pages promise without anyone
 * deciding it; closing them would tell people on another site "we did" for work that was not theirs.
 */
export async function completeAction(
  db: Database,
  principal: Principal,
  id: string,
  input: CompleteAction,
  ifMatch?: string,
): Promise<ActionRow> {
  const refuse = (action: ActionRow) =>
    isLive(action.status)
      ? undefined
      : `Only a planned or in-progress action can be completed; this one is ${action.status}`;
  return changeAction(db, principal, id, { ifMatch, refuse }, async (tx, action) => {
    const items = [...(await lockItems(tx, null, action.feedbackIds)).values()];
    const open = items.filter((item) => !isClosed(item.status));
    const outside = open.filter((item) => !item.unitPath.includes(action.unitId)).map((item) => item.id);
    if (outside.length > 0) {
      throw illegalTransition(
        `Feedback ${outside.join(', ')} now belongs to a unit outside this action’s unit subtree (its unit moved); unlink it (DELETE /v1/actions/${id}/feedback/{feedbackId}) before completing the action`,
      );
    }
    const moves = open.map((item): StatusMove => ({ item, to: 'actioned', actionId: id }));
    await updateAction(tx, id, { status: 'completed', outcome: input.outcome, completedAt: sql`now()` });
    const entries = await applyStatusMoves(tx, moves);
    await touchBoards(tx, unitsOf(action, items));
    await appendAudit(tx, actorOf(principal), [
      {
        entityType: 'action',
        entityId: id,
        action: 'completed',
        details: { fields: ['outcome'], from: action.status, closedFeedbackIds: moves.map((m) => m.item.id) },
      },
      ...entries,
    ]);
  });
}

/**
 * Cancels a live action. Linked `planned` items with no other live action go back to `in_review`
 * (the cancellation reason goes into their history); closed items keep their answer.
 */
export async function cancelAction(
  db: Database,
  principal: Principal,
  id: string,
  input: CancelAction,
  ifMatch?: string,
): Promise<ActionRow> {
  const refuse = (action: ActionRow) =>
    action.status === 'completed'
      ? 'A completed action happened and cannot be cancelled; reopen its items if their answer was wrong'
      : action.status === 'cancelled'
        ? 'This action is already cancelled'
        : undefined;
  return changeAction(db, principal, id, { ifMatch, refuse }, async (tx, action) => {
    const items = [...(await lockItems(tx, null, action.feedbackIds)).values()];
    const others = await otherActionStatuses(
      tx,
      items.map((item) => item.id),
      id,
    );
    const moves = items
      .filter((item) => item.status === 'planned' && !(others.get(item.id) ?? []).some(isLive))
      .map((item): StatusMove => ({ item, to: 'in_review', actionId: id, reason: input.reason }));
    await updateAction(tx, id, { status: 'cancelled', cancelReason: input.reason, cancelledAt: sql`now()` });
    const entries = await applyStatusMoves(tx, moves);
    await touchBoards(tx, unitsOf(action, items));
    await appendAudit(tx, actorOf(principal), [
      {
        entityType: 'action',
        entityId: id,
        action: 'cancelled',
        details: { fields: ['reason'], from: action.status, reopenedFeedbackIds: moves.map((m) => m.item.id) },
      },
      ...entries,
    ]);
  });
}
