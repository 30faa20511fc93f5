import { and, desc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Queryable } from '../../db/client.js';
import type { ActionStatus } from '../../db/schema/enums.js';
import { actionFeedback, actions, units } from '../../db/schema/index.js';
import { withinUnit } from '../units/units.repository.js';

const linkedIds = sql<string[]>`coalesce((
  select array_agg(l.feedback_id order by l.linked_at, l.feedback_id)
  from action_feedback l where l.action_id = ${actions.id}), '{}'::uuid[])`;

const actionColumns = { ...getTableColumns(actions), unitPath: units.path, feedbackIds: linkedIds };

export type ActionRow = typeof actions.$inferSelect & { unitPath: string[]; feedbackIds: string[] };

export async function findAction(db: Queryable, id: string): Promise<ActionRow | undefined> {
  const [row] = await db
    .select(actionColumns)
    .from(actions)
    .innerJoin(units, eq(units.id, actions.unitId))
    .where(eq(actions.id, id))
    .limit(1);
  return row;
}

/**
 * The action row under FOR UPDATE: the first lock of every transaction that changes an action or its
 * links. Its links are read by a second statement, after the lock is held: under READ COMMITTED a
 * subquery in the locking statement would still see the snapshot from before the wait, and miss a
 * link committed by the transaction it waited for.
 */
export async function lockAction(tx: Queryable, id: string): Promise<ActionRow | undefined> {
  const [row] = await tx
    .select({ ...getTableColumns(actions), unitPath: units.path })
    .from(actions)
    .innerJoin(units, eq(units.id, actions.unitId))
    .where(eq(actions.id, id))
    .for('update', { of: actions });
  if (!row) return undefined;
  const links = await tx
    .select({ feedbackId: actionFeedback.feedbackId })
    .from(actionFeedback)
    .where(eq(actionFeedback.actionId, id))
    .orderBy(actionFeedback.linkedAt, actionFeedback.feedbackId);
  return { ...row, feedbackIds: links.map((link) => link.feedbackId) };
}

export interface ActionFilters {
  within: string[];
  status?: ActionStatus | undefined;
  feedbackId?: string | undefined;
}

/** Newest first, (createdAt, id) descending; `limit + 1` rows so the caller knows whether there is more. */
export async function listActions(
  db: Queryable,
  filters: ActionFilters,
  limit: number,
  after?: { createdAt: string; id: string },
): Promise<ActionRow[]> {
  return db
    .select(actionColumns)
    .from(actions)
    .innerJoin(units, eq(units.id, actions.unitId))
    .where(
      and(
        ...filters.within.map(withinUnit),
        filters.status ? eq(actions.status, filters.status) : undefined,
        filters.feedbackId
          ? sql`exists (select 1 from action_feedback l where l.action_id = ${actions.id} and l.feedback_id = ${filters.feedbackId})`
          : undefined,
        after
          ? sql`(${actions.createdAt}, ${actions.id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(actions.createdAt), desc(actions.id))
    .limit(limit + 1);
}

export async function insertAction(tx: Queryable, values: typeof actions.$inferInsert): Promise<string> {
  const [row] = await tx.insert(actions).values(values).returning({ id: actions.id });
  return row!.id;
}

/** Updates an action and bumps its version (its ETag). */
export async function updateAction(
  tx: Queryable,
  id: string,
  values: PgUpdateSetSource<typeof actions>,
): Promise<void> {
  await tx
    .update(actions)
    .set({ ...values, version: sql`${actions.version} + 1`, updatedAt: sql`now()` })
    .where(eq(actions.id, id));
}

export async function insertLinks(tx: Queryable, actionId: string, feedbackIds: readonly string[]): Promise<void> {
  if (feedbackIds.length === 0) return;
  await tx
    .insert(actionFeedback)
    .values(feedbackIds.map((feedbackId) => ({ actionId, feedbackId })))
    .onConflictDoNothing();
}

export async function deleteLink(tx: Queryable, actionId: string, feedbackId: string): Promise<void> {
  await tx
    .delete(actionFeedback)
    .where(and(eq(actionFeedback.actionId, actionId), eq(actionFeedback.feedbackId, feedbackId)));
}
