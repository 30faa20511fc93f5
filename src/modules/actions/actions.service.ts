import { sql } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { afterTimeAndId, timeAndIdPage } from '../../http/pagination.js';
import { illegalTransition, invalidField, notFound } from '../../http/problems.js';
import { type AuditEntry, appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { otherActionStatuses } from '../feedback/feedback-lifecycle.repository.js';
import {
  applyStatusMoves,
  isClosed,
  type LockedItem,
  lockItems,
  type StatusMove,
} from '../feedback/feedback-lifecycle.service.js';
import {
  recommendationMovesOfAction,
  recommendationUnitsOfAction,
} from '../recommendations/recommendations.repository.js';
import { touchBoards } from '../units/units.board-version.js';
import { findUnit } from '../units/units.repository.js';
import { principalSees } from '../units/units.service.js';
import {
  type ActionRow,
  findAction,
  insertAction,
  insertLinks,
  listActions,
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
import {
  assertInSubtree,
  changeAction,
  isLive,
  linkMove,
  moveLinkedItems,
  notInSubtree,
  unitsOf,
} from './actions-rules.js';

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

/** The recommendations the database moved because this action changed (done, or accepted again), for the audit trail. */
async function recommendationEntries(tx: Queryable, actionId: string): Promise<AuditEntry[]> {
  return (await recommendationMovesOfAction(tx, actionId)).map((move) => ({
    entityType: 'recommendation' as const,
    entityId: move.recommendationId,
    action: move.toStatus,
    details: { actionId, automatic: true },
  }));
}

/** Reads an action the principal may see; one outside its scope is reported as not found. */
export async function getVisibleAction(db: Database, principal: Principal, id: string): Promise<ActionRow> {
  const row = await findAction(db, id);
  if (!row || !principalSees(principal, { path: row.unitPath })) throw notFound('Action');
  return row;
}

export async function listVisibleActions(db: Database, principal: Principal, query: ListActionsQuery) {
  const { limit, cursor, unitId, status, feedbackId } = query;
  const after = afterTimeAndId(cursor, 'createdAt');
  const within = [principal.unitId, unitId].filter((id): id is string => Boolean(id));
  const rows = await listActions(db, { within, status, feedbackId }, limit, after);
  return timeAndIdPage(rows, limit, 'createdAt', toAction);
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
    await touchBoards(tx, [action.unitId, ...(await recommendationUnitsOfAction(tx, id))]);
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
    await touchBoards(tx, [...unitsOf(action, items), ...(await recommendationUnitsOfAction(tx, id))]);
    await appendAudit(tx, actorOf(principal), [
      {
        entityType: 'action',
        entityId: id,
        action: 'completed',
        details: { fields: ['outcome'], from: action.status, closedFeedbackIds: moves.map((m) => m.item.id) },
      },
      ...entries,
      ...(await recommendationEntries(tx, id)),
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
    await touchBoards(tx, [...unitsOf(action, items), ...(await recommendationUnitsOfAction(tx, id))]);
    await appendAudit(tx, actorOf(principal), [
      {
        entityType: 'action',
        entityId: id,
        action: 'cancelled',
        details: { fields: ['reason'], from: action.status, reopenedFeedbackIds: moves.map((m) => m.item.id) },
      },
      ...entries,
      ...(await recommendationEntries(tx, id)),
    ]);
  });
}
