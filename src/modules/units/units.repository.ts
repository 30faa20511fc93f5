import { and, eq, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database, Queryable } from '../../db/client.js';
import { type PreparedQuery, preparedRows } from '../../db/rows.js';
import { actionFeedback, actions, feedbackItems, units } from '../../db/schema/index.js';
import { uuidArray } from '../../db/uuid-array.js';

export type UnitRow = typeof units.$inferSelect & {
  effectiveTargetDays: number;
  effectiveAcknowledgementDays: number;
};

export const defaultResponseTargetDays = 28;
/** NHS complaints regulations 2009: a complaint is acknowledged within 3 working days. */
export const defaultAcknowledgementWorkingDays = 3;

/**
 * The nearest setting of `column` on the path (the unit itself first), else the default: one subquery.
 * `units.path` is written out qualified: drizzle renders a column in a select list unqualified, and a
 * bare `path` would be the subquery's own `a.path`, so any unit that sets a value anywhere would win.
 */
const nearestSetting = (column: 'response_target_days' | 'acknowledgement_target_working_days', fallback: number) =>
  sql<number>`coalesce(
  (select a.${sql.raw(column)} from units a
    where a.id = any(units.path) and a.${sql.raw(column)} is not null
    order by cardinality(a.path) desc limit 1),
  ${fallback})`.mapWith(Number);

const unitColumns = {
  ...getTableColumns(units),
  effectiveTargetDays: nearestSetting('response_target_days', defaultResponseTargetDays),
  effectiveAcknowledgementDays: nearestSetting(
    'acknowledgement_target_working_days',
    defaultAcknowledgementWorkingDays,
  ),
};

export async function findUnit(db: Queryable, id: string): Promise<UnitRow | undefined> {
  const [row] = await db.select(unitColumns).from(units).where(eq(units.id, id)).limit(1);
  return row;
}

export async function findUnits(db: Queryable, ids: readonly string[]): Promise<UnitRow[]> {
  if (ids.length === 0) return [];
  return db
    .select(unitColumns)
    .from(units)
    .where(inArray(units.id, [...ids]));
}

export async function findUnitByCode(db: Queryable, code: string): Promise<UnitRow | undefined> {
  const [row] = await db.select(unitColumns).from(units).where(eq(units.code, code)).limit(1);
  return row;
}

export async function findUnitByOdsCode(db: Queryable, odsCode: string): Promise<UnitRow | undefined> {
  const [row] = await db.select(unitColumns).from(units).where(eq(units.odsCode, odsCode)).limit(1);
  return row;
}

/** The units whose code matches one of these, ignoring case (exports rarely keep a code's case). */
export async function findUnitsByCodes(db: Queryable, codes: readonly string[]): Promise<UnitRow[]> {
  if (codes.length === 0) return [];
  return db
    .select(unitColumns)
    .from(units)
    .where(inArray(sql`lower(${units.code})`, [...new Set(codes.map((code) => code.toLowerCase()))]));
}

/** `unit.path @> [ancestorId]`: is the unit the ancestor itself or below it. */
export const withinUnit = (ancestorId: string): SQL => sql`${units.path} @> array[${ancestorId}]::uuid[]`;

const unitIdsWithinAllQuery: PreparedQuery = {
  name: 'unit_ids_within_all',
  text: 'select id from units where path @> $1::uuid[]',
};

/**
 * The ids of the units in every one of these subtrees (each ancestor itself or below it): the units
 * whose path holds them all. A prepared statement (`preparedRows`): every scoped list reads it first.
 */
export async function unitIdsWithinAll(db: Database, ancestorIds: readonly string[]): Promise<string[]> {
  const rows = await preparedRows<{ id: string }>(db, unitIdsWithinAllQuery, [ancestorIds]);
  return rows.map((row) => row.id);
}

/** `column` names a unit in the ancestor's subtree (a null column never does). */
export const unitColumnWithin = (column: AnyPgColumn, ancestorId: string): SQL =>
  sql`${column} in (select ${units.id} from ${units} where ${withinUnit(ancestorId)})`;

export async function listUnits(
  db: Queryable,
  filters: { parentId?: string | undefined; type?: string | undefined; within: string[] },
  limit: number,
  afterCode?: string,
): Promise<UnitRow[]> {
  return db
    .select(unitColumns)
    .from(units)
    .where(
      and(
        filters.parentId ? eq(units.parentId, filters.parentId) : undefined,
        filters.type ? sql`${units.type} = ${filters.type}` : undefined,
        ...filters.within.map(withinUnit),
        afterCode !== undefined ? sql`${units.code} > ${afterCode}` : undefined,
      ),
    )
    .orderBy(units.code)
    .limit(limit + 1);
}

export async function insertUnit(
  db: Queryable,
  values: Omit<typeof units.$inferInsert, 'path' | 'id'> & { parentPath: string[] | null },
): Promise<string> {
  const { parentPath, ...rest } = values;
  const id = crypto.randomUUID();
  await db.insert(units).values({ ...rest, id, path: [...(parentPath ?? []), id] });
  return id;
}

export async function updateUnit(db: Queryable, id: string, values: Partial<typeof units.$inferInsert>): Promise<void> {
  await db
    .update(units)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(units.id, id));
}

/** Re-parents a unit: rewrites the path of the unit and its whole subtree in one statement. */
export async function moveSubtree(
  db: Queryable,
  unit: { id: string; path: string[] },
  newParentPath: string[],
): Promise<void> {
  const depth = unit.path.length;
  await db.execute(sql`
    update units set
      path = ${uuidArray(newParentPath)} || path[${depth}:],
      updated_at = now()
    where path @> array[${unit.id}]::uuid[]`);
}

/**
 * Links of live actions to items in this unit's subtree that lie outside the action's own subtree:
 * what a move of the unit would break (read after the move, inside its transaction). The same rule
 * is a constraint trigger (migration 0013); this names the links for the 409.
 */
export async function liveLinksOutsideSubtree(
  tx: Queryable,
  unitId: string,
): Promise<{ actionId: string; feedbackId: string }[]> {
  return tx
    .select({ actionId: actionFeedback.actionId, feedbackId: actionFeedback.feedbackId })
    .from(actionFeedback)
    .innerJoin(actions, eq(actions.id, actionFeedback.actionId))
    .innerJoin(feedbackItems, eq(feedbackItems.id, actionFeedback.feedbackId))
    .innerJoin(units, eq(units.id, feedbackItems.unitId))
    .where(
      and(
        withinUnit(unitId),
        inArray(actions.status, ['planned', 'in_progress']),
        sql`not (${units.path} @> array[${actions.unitId}])`,
      ),
    )
    .orderBy(actionFeedback.actionId, actionFeedback.feedbackId);
}
