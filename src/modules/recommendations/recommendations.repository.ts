import { and, eq, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import type { RecommendationStatus } from '../../db/schema/enums.js';
import {
  actions,
  recommendationActions,
  recommendationFeedback,
  recommendations,
  units,
} from '../../db/schema/index.js';
import { uuidArray } from '../../db/uuid-array.js';
import { withinUnit } from '../units/units.repository.js';

const feedbackIds = sql<string[]>`coalesce((
  select array_agg(l.feedback_id order by l.feedback_id)
  from recommendation_feedback l where l.recommendation_id = ${recommendations.id}), '{}'::uuid[])`;
const actionIds = sql<string[]>`coalesce((
  select array_agg(l.action_id order by l.linked_at, l.action_id)
  from recommendation_actions l where l.recommendation_id = ${recommendations.id}), '{}'::uuid[])`;

const { madeBy: _madeBy, ...shownColumns } = getTableColumns(recommendations);
const recommendationColumns = { ...shownColumns, unitPath: units.path, feedbackIds, actionIds };

export type RecommendationRow = Omit<typeof recommendations.$inferSelect, 'madeBy'> & {
  unitPath: string[];
  feedbackIds: string[];
  actionIds: string[];
};

export async function findRecommendation(db: Queryable, id: string): Promise<RecommendationRow | undefined> {
  const [row] = await db
    .select(recommendationColumns)
    .from(recommendations)
    .innerJoin(units, eq(units.id, recommendations.unitId))
    .where(eq(recommendations.id, id))
    .limit(1);
  return row;
}

/** The row under FOR UPDATE, so two answers to one recommendation take turns. */
export async function lockRecommendation(tx: Queryable, id: string): Promise<RecommendationRow | undefined> {
  const [locked] = await tx
    .select({ id: recommendations.id })
    .from(recommendations)
    .where(eq(recommendations.id, id))
    .for('update');
  return locked && findRecommendation(tx, id);
}

export interface RecommendationFilters {
  within: string[];
  madeBy?: string | undefined;
  status?: RecommendationStatus | undefined;
  theme?: string | undefined;
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
}

/** Newest first, (createdAt, id) descending; `limit + 1` rows so the caller knows whether there is more. */
export async function listRecommendationRows(
  db: Queryable,
  filters: RecommendationFilters,
  limit: number,
  after?: { createdAt: string; id: string },
): Promise<RecommendationRow[]> {
  const conditions: (SQL | undefined)[] = [
    ...filters.within.map(withinUnit),
    filters.madeBy ? eq(recommendations.madeBy, filters.madeBy) : undefined,
    filters.status ? eq(recommendations.status, filters.status) : undefined,
    filters.theme ? sql`${recommendations.themes} @> array[${filters.theme}]::text[]` : undefined,
    filters.createdFrom ? sql`${recommendations.createdAt} >= ${filters.createdFrom.toISOString()}` : undefined,
    filters.createdTo ? sql`${recommendations.createdAt} < ${filters.createdTo.toISOString()}` : undefined,
    after
      ? sql`(${recommendations.createdAt}, ${recommendations.id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`
      : undefined,
  ];
  return db
    .select(recommendationColumns)
    .from(recommendations)
    .innerJoin(units, eq(units.id, recommendations.unitId))
    .where(and(...conditions))
    .orderBy(sql`${recommendations.createdAt} desc, ${recommendations.id} desc`)
    .limit(limit + 1);
}

export async function insertRecommendation(
  tx: Queryable,
  values: typeof recommendations.$inferInsert,
  linkedFeedbackIds: readonly string[],
): Promise<string> {
  const [row] = await tx.insert(recommendations).values(values).returning({ id: recommendations.id });
  const id = row!.id;
  if (linkedFeedbackIds.length > 0) {
    await tx
      .insert(recommendationFeedback)
      .values(linkedFeedbackIds.map((feedbackId) => ({ recommendationId: id, feedbackId })));
  }
  return id;
}

/**
 * Answers with actions: the status moves first, then the links replace the old ones, and the
 * database moves an accepted recommendation whose actions are all completed on to `done`
 * (migration 0022), as it does whenever a linked action changes later.
 */
export async function acceptWithActions(tx: Queryable, id: string, linkedActionIds: readonly string[]): Promise<void> {
  await tx
    .update(recommendations)
    .set({
      status: sql`case when ${recommendations.status} = 'proposed' then 'accepted' else ${recommendations.status} end`,
      respondedAt: sql`coalesce(${recommendations.respondedAt}, now())`,
      version: sql`${recommendations.version} + 1`,
      updatedAt: sql`now()`,
    })
    .where(eq(recommendations.id, id));
  await tx
    .delete(recommendationActions)
    .where(
      and(
        eq(recommendationActions.recommendationId, id),
        sql`${recommendationActions.actionId} <> all(${uuidArray(linkedActionIds)})`,
      ),
    );
  await tx
    .insert(recommendationActions)
    .values(linkedActionIds.map((actionId) => ({ recommendationId: id, actionId })))
    .onConflictDoNothing();
}

export async function declineRecommendationRow(tx: Queryable, id: string, response: string): Promise<void> {
  await tx
    .update(recommendations)
    .set({
      status: 'declined',
      response,
      respondedAt: sql`now()`,
      version: sql`${recommendations.version} + 1`,
      updatedAt: sql`now()`,
    })
    .where(eq(recommendations.id, id));
}

/** The actions among `ids`, with their unit's path and status, locked against a concurrent change. */
export async function lockActionsForAnswer(tx: Queryable, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return tx
    .select({ id: actions.id, status: actions.status, unitPath: units.path })
    .from(actions)
    .innerJoin(units, eq(units.id, actions.unitId))
    .where(inArray(actions.id, [...ids]))
    .orderBy(actions.id)
    .for('share', { of: actions });
}
