import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import type { FeedbackStatus } from '../../db/schema/enums.js';
import { actionFeedback, actions, decisions, feedbackItems, units } from '../../db/schema/index.js';

/** The part of a feedback item the status machine needs, read under a row lock. */
export interface LockedItem {
  id: string;
  unitId: string;
  unitPath: string[];
  status: FeedbackStatus;
  kind: string | null;
  version: number;
  createdByKeyId: string | null;
}

/**
 * Locks feedback items FOR UPDATE in id order. Every transaction that changes several items takes
 * them in this order (after at most one action row), so two of them can never wait on each other.
 */
export async function lockFeedbackItems(tx: Queryable, ids: readonly string[]): Promise<LockedItem[]> {
  if (ids.length === 0) return [];
  return tx
    .select({
      id: feedbackItems.id,
      unitId: feedbackItems.unitId,
      unitPath: units.path,
      status: feedbackItems.status,
      kind: feedbackItems.kind,
      version: feedbackItems.version,
      createdByKeyId: feedbackItems.createdByKeyId,
    })
    .from(feedbackItems)
    .innerJoin(units, eq(units.id, feedbackItems.unitId))
    .where(inArray(feedbackItems.id, [...ids]))
    .orderBy(feedbackItems.id)
    .for('update', { of: feedbackItems });
}

/** For each item, the statuses of the other actions it is linked to (besides `exceptActionId`). */
export async function otherActionStatuses(
  tx: Queryable,
  feedbackIds: readonly string[],
  exceptActionId: string | null,
): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(feedbackIds.map((id) => [id, []]));
  if (feedbackIds.length === 0) return result;
  const rows = await tx
    .select({ feedbackId: actionFeedback.feedbackId, status: actions.status, actionId: actions.id })
    .from(actionFeedback)
    .innerJoin(actions, eq(actions.id, actionFeedback.actionId))
    .where(
      and(
        inArray(actionFeedback.feedbackId, [...feedbackIds]),
        exceptActionId ? ne(actionFeedback.actionId, exceptActionId) : undefined,
      ),
    );
  for (const row of rows) result.get(row.feedbackId)?.push(row.status);
  return result;
}

/** The live (planned or in-progress) actions an item is linked to. */
export async function liveActionIds(tx: Queryable, feedbackId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: actions.id })
    .from(actionFeedback)
    .innerJoin(actions, eq(actions.id, actionFeedback.actionId))
    .where(and(eq(actionFeedback.feedbackId, feedbackId), inArray(actions.status, ['planned', 'in_progress'])))
    .orderBy(actions.id);
  return rows.map((row) => row.id);
}

/** Moves an item to a status; closedAt follows (set when closing, cleared when opening); version bumped. */
export async function setFeedbackStatus(tx: Queryable, id: string, status: FeedbackStatus): Promise<void> {
  const closing = status === 'actioned' || status === 'not_actioned';
  await tx
    .update(feedbackItems)
    .set({
      status,
      closedAt: closing ? sql`now()` : null,
      version: sql`${feedbackItems.version} + 1`,
      updatedAt: sql`now()`,
    })
    .where(eq(feedbackItems.id, id));
}

/** Bumps the version of items whose visible state (their `actionIds`) changed without a status move. */
export async function bumpFeedbackVersions(tx: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(feedbackItems)
    .set({ version: sql`${feedbackItems.version} + 1`, updatedAt: sql`now()` })
    .where(inArray(feedbackItems.id, [...ids]));
}

export async function insertDecision(
  tx: Queryable,
  values: {
    feedbackId: string;
    reasonCode: string;
    explanation: string;
    referredTo: string | null;
    keyId: string | null;
  },
): Promise<string> {
  const [row] = await tx
    .insert(decisions)
    .values({
      feedbackId: values.feedbackId,
      reasonCode: values.reasonCode as typeof decisions.$inferInsert.reasonCode,
      explanation: values.explanation,
      referredTo: values.referredTo,
      decidedByKeyId: values.keyId,
    })
    .returning({ id: decisions.id });
  return row!.id;
}

/** Marks the item's current decision as superseded (reopen keeps it as history); returns its id. */
export async function supersedeCurrentDecision(tx: Queryable, feedbackId: string): Promise<string | null> {
  const rows = await tx
    .update(decisions)
    .set({ supersededAt: sql`now()` })
    .where(and(eq(decisions.feedbackId, feedbackId), isNull(decisions.supersededAt)))
    .returning({ id: decisions.id });
  return rows[0]?.id ?? null;
}
