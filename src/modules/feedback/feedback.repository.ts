import { and, eq, getTableName, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Database, Queryable } from '../../db/client.js';
import { columnCasing } from '../../db/database.js';
import { insertFromJson, rowsOf } from '../../db/rows.js';
import type { FeedbackStatus, SafeguardingStatus } from '../../db/schema/enums.js';
import {
  actionFeedback,
  decisions,
  feedbackEquality,
  feedbackItems,
  idempotencyKeys,
  units,
} from '../../db/schema/index.js';
import { unitIdsWithinAll, withinUnit } from '../units/units.repository.js';
import type { ExternalRef } from './feedback.schemas.js';

// Every column but the generated `search` vector, plus the unit's path for scope checks.
const itemColumns = {
  id: feedbackItems.id,
  reference: feedbackItems.reference,
  unitId: feedbackItems.unitId,
  text: feedbackItems.text,
  youSaid: feedbackItems.youSaid,
  publishConsent: feedbackItems.publishConsent,
  reviewConsent: feedbackItems.reviewConsent,
  kind: feedbackItems.kind,
  channel: feedbackItems.channel,
  submitterRole: feedbackItems.submitterRole,
  format: feedbackItems.format,
  themes: feedbackItems.themes,
  externalSystem: feedbackItems.externalSystem,
  externalId: feedbackItems.externalId,
  contact: feedbackItems.contact,
  receivedAt: feedbackItems.receivedAt,
  dueAt: feedbackItems.dueAt,
  closedAt: feedbackItems.closedAt,
  acknowledgeBy: feedbackItems.acknowledgeBy,
  acknowledgedAt: feedbackItems.acknowledgedAt,
  status: feedbackItems.status,
  version: feedbackItems.version,
  createdByKeyId: feedbackItems.createdByKeyId,
  erasedAt: feedbackItems.erasedAt,
  fftRating: feedbackItems.fftRating,
  collectionMode: feedbackItems.collectionMode,
  safeguarding: feedbackItems.safeguarding,
  safeguardingMatches: feedbackItems.safeguardingMatches,
  safeguardingReason: feedbackItems.safeguardingReason,
};

export type FeedbackRow = {
  [K in keyof typeof itemColumns]: (typeof feedbackItems.$inferSelect)[K];
};
export type ScopedFeedbackRow = FeedbackRow & { unitPath: string[] };

const scopedColumns = { ...itemColumns, unitPath: units.path };

export async function findFeedback(db: Queryable, id: string): Promise<ScopedFeedbackRow | undefined> {
  const [row] = await db
    .select(scopedColumns)
    .from(feedbackItems)
    .innerJoin(units, eq(units.id, feedbackItems.unitId))
    .where(eq(feedbackItems.id, id))
    .limit(1);
  return row;
}

/** The item's row, locked until the caller's transaction ends (`FOR UPDATE` on the item only). */
export async function lockFeedback(tx: Queryable, id: string): Promise<ScopedFeedbackRow | undefined> {
  const [row] = await tx
    .select(scopedColumns)
    .from(feedbackItems)
    .innerJoin(units, eq(units.id, feedbackItems.unitId))
    .where(eq(feedbackItems.id, id))
    .limit(1)
    .for('update', { of: feedbackItems });
  return row;
}

/** One string per (system, id) pair, for maps keyed by externalRef. */
export const externalRefKey = (ref: ExternalRef): string => JSON.stringify([ref.system, ref.id]);

/** A stored item holding an externalRef: its id and what a scope check needs. */
export interface ExternalRefHolder {
  id: string;
  unitPath: string[];
  createdByKeyId: string | null;
}

/** The stored items by externalRef, keyed by `externalRefKey`. */
export async function itemsByExternalRef(
  db: Queryable,
  refs: readonly ExternalRef[],
): Promise<Map<string, ExternalRefHolder>> {
  if (refs.length === 0) return new Map();
  const pairs = sql.join(
    refs.map((ref) => sql`(${ref.system}, ${ref.id})`),
    sql`, `,
  );
  const rows = await db
    .select({
      id: feedbackItems.id,
      unitPath: units.path,
      createdByKeyId: feedbackItems.createdByKeyId,
      system: feedbackItems.externalSystem,
      externalId: feedbackItems.externalId,
    })
    .from(feedbackItems)
    .innerJoin(units, eq(units.id, feedbackItems.unitId))
    .where(sql`(${feedbackItems.externalSystem}, ${feedbackItems.externalId}) in (${pairs})`);
  // Both columns are set on every row the condition matched.
  return new Map(
    rows.map(({ system, externalId, ...holder }) => [externalRefKey({ system: system!, id: externalId! }), holder]),
  );
}

/** The columns an intake writes, with their SQL types, in the order of `jsonb_to_recordset`. */
const insertedColumns = {
  id: 'uuid',
  reference: 'text',
  unitId: 'uuid',
  text: 'text',
  youSaid: 'text',
  publishConsent: 'boolean',
  reviewConsent: 'boolean',
  kind: 'text',
  channel: 'text',
  submitterRole: 'text',
  format: 'text',
  themes: 'text[]',
  externalSystem: 'text',
  externalId: 'text',
  contact: 'jsonb',
  receivedAt: 'timestamptz',
  dueAt: 'timestamptz',
  acknowledgeBy: 'timestamptz',
  createdByKeyId: 'uuid',
  fftRating: 'text',
  collectionMode: 'text',
  safeguarding: 'text',
  safeguardingMatches: 'text[]',
  safeguardingReason: 'text',
} as const satisfies Partial<Record<keyof typeof feedbackItems.$inferInsert, string>>;

const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
// Each column's SQL name, worked out once: per field of every row it was about a tenth of the
// service's CPU for a 500-item batch.
const insertedNames = (Object.keys(insertedColumns) as (keyof typeof insertedColumns)[]).map(
  (name) => [name, snake(name)] as const,
);
// The same columns by their SQL names, as insertFromJson takes them.
const insertedTypes = Object.fromEntries(insertedNames.map(([name, sqlName]) => [sqlName, insertedColumns[name]]));
const returnedList = sql.raw(
  Object.keys(itemColumns)
    .map((name) => `${snake(name)} as "${name}"`)
    .join(', '),
);

const itemColumnEntries = Object.entries(itemColumns);

/** A new item's columns; `id` and `reference` are drawn when it is written. */
export type NewFeedbackValues = Pick<
  typeof feedbackItems.$inferInsert,
  Exclude<keyof typeof insertedColumns, 'id' | 'reference'>
>;

/** A new item's row as written: its columns, and the id and reference drawn for it. */
export interface NewFeedbackRow {
  id: string;
  reference: string;
  values: NewFeedbackValues;
}

const valueNames = insertedNames.filter(
  (entry): entry is readonly [keyof NewFeedbackValues, string] => entry[0] !== 'id' && entry[0] !== 'reference',
);

/** The insert of `rows`, skipping any row that meets a unique value already stored. */
function insertStatement(rows: readonly NewFeedbackRow[]): SQL {
  const json = rows.map(({ id, reference, values }) => {
    const out: Record<string, unknown> = { id, reference };
    // A key left out reads as null: a smaller parameter to write, send and parse.
    for (const [name, sqlName] of valueNames) {
      const value = values[name];
      if (value !== null && value !== undefined) out[sqlName] = value instanceof Date ? value.toISOString() : value;
    }
    return out;
  });
  return sql`${insertFromJson(feedbackItems, insertedTypes, json)} on conflict do nothing`;
}

/**
 * Inserts items in one statement. A row that meets any unique value already stored (its
 * externalRef, or a tracking reference drawn before) is skipped, not an error: the rows returned
 * are the ones written, and the caller sorts out the others. The rows travel as one JSON parameter
 * (insertFromJson).
 */
export async function insertFeedbackRows(tx: Queryable, rows: readonly NewFeedbackRow[]): Promise<FeedbackRow[]> {
  if (rows.length === 0) return [];
  const written = await rowsOf<Record<string, unknown>>(tx, sql`${insertStatement(rows)} returning ${returnedList}`);
  return written.map((row) => {
    for (const [name, column] of itemColumnEntries) {
      const value = row[name];
      row[name] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return row as FeedbackRow;
  });
}

/** What a batch answers of a written item, and all that writing it reads back. */
export type WrittenFeedback = Pick<FeedbackRow, 'id' | 'reference' | 'unitId'>;

/**
 * insertFeedbackRows returning only `WrittenFeedback`: a batch answers no more, so neither the
 * database nor the driver turn every column of 500 rows (text, arrays, timestamps) into an answer.
 */
export async function insertFeedbackKeys(tx: Queryable, rows: readonly NewFeedbackRow[]): Promise<WrittenFeedback[]> {
  if (rows.length === 0) return [];
  return rowsOf<WrittenFeedback>(tx, sql`${insertStatement(rows)} returning id, reference, unit_id as "unitId"`);
}

export async function updateFeedbackRow(
  tx: Queryable,
  id: string,
  values: Partial<typeof feedbackItems.$inferInsert>,
): Promise<FeedbackRow> {
  const [row] = await tx
    .update(feedbackItems)
    .set({ ...values, version: sql`${feedbackItems.version} + 1`, updatedAt: sql`now()` })
    .where(eq(feedbackItems.id, id))
    .returning(itemColumns);
  return row!;
}

export async function insertEquality(
  tx: Queryable,
  values: readonly (typeof feedbackEquality.$inferInsert)[],
): Promise<void> {
  if (values.length === 0) return;
  await tx.insert(feedbackEquality).values([...values]);
}

export async function deleteEquality(tx: Queryable, feedbackId: string): Promise<void> {
  await tx.delete(feedbackEquality).where(eq(feedbackEquality.feedbackId, feedbackId));
}

/** Stored replies to idempotent requests that carry this item; erasure drops them with the item's data. */
export async function deleteStoredResponsesFor(tx: Queryable, feedbackId: string): Promise<void> {
  await tx.delete(idempotencyKeys).where(sql`${idempotencyKeys.responseBody}->>'id' = ${feedbackId}`);
}

/** Linked action ids per item. */
export async function actionIdsFor(db: Queryable, ids: readonly string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  if (ids.length === 0) return result;
  const rows = await db
    .select({ feedbackId: actionFeedback.feedbackId, actionId: actionFeedback.actionId })
    .from(actionFeedback)
    .where(inArray(actionFeedback.feedbackId, [...ids]))
    .orderBy(actionFeedback.linkedAt, actionFeedback.actionId);
  for (const row of rows) result.set(row.feedbackId, [...(result.get(row.feedbackId) ?? []), row.actionId]);
  return result;
}

export type DecisionRow = Pick<
  typeof decisions.$inferSelect,
  'feedbackId' | 'reasonCode' | 'explanation' | 'referredTo' | 'decidedAt'
>;

/** The current (not superseded) decision per item. */
export async function currentDecisionsFor(db: Queryable, ids: readonly string[]): Promise<Map<string, DecisionRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      feedbackId: decisions.feedbackId,
      reasonCode: decisions.reasonCode,
      explanation: decisions.explanation,
      referredTo: decisions.referredTo,
      decidedAt: decisions.decidedAt,
    })
    .from(decisions)
    .where(and(inArray(decisions.feedbackId, [...ids]), isNull(decisions.supersededAt)));
  return new Map(rows.map((row) => [row.feedbackId, row]));
}

export interface FeedbackFilters {
  /** Scope: each of these units' subtrees (the key's scope and the `unitId` filter). */
  within: string[];
  createdByKeyId?: string | undefined;
  status?: FeedbackStatus | undefined;
  kind?: string | undefined;
  channel?: string | undefined;
  theme?: string | undefined;
  receivedFrom?: Date | undefined;
  receivedTo?: Date | undefined;
  overdue?: boolean | undefined;
  overdueAcknowledgement?: boolean | undefined;
  safeguarding?: SafeguardingStatus | undefined;
  q?: string | undefined;
}

/** Not acknowledged and past the deadline (feedback_unacknowledged_idx); null without a deadline. */
const acknowledgementOverdue = sql`(${feedbackItems.acknowledgedAt} is null and ${feedbackItems.acknowledgeBy} < now())`;

/** The filters of an item list on public-safe fields (the staff list and the panel's review list). */
export type ItemFilters = Pick<
  FeedbackFilters,
  'within' | 'status' | 'kind' | 'channel' | 'theme' | 'receivedFrom' | 'receivedTo'
>;

/** A page of items newest first, (receivedAt, id) descending: `after` is the last row of the previous page. */
export type ItemPageAfter = { receivedAt: string; id: string };

/** The SQL conditions of `ItemFilters`, and of the page boundary. */
export function itemFilterConditions(filters: ItemFilters, after?: ItemPageAfter): (SQL | undefined)[] {
  return [
    ...filters.within.map(
      (unitId) => sql`${feedbackItems.unitId} in (select ${units.id} from ${units} where ${withinUnit(unitId)})`,
    ),
    filters.status ? eq(feedbackItems.status, filters.status) : undefined,
    filters.kind ? sql`${feedbackItems.kind} = ${filters.kind}` : undefined,
    filters.channel ? sql`${feedbackItems.channel} = ${filters.channel}` : undefined,
    filters.theme ? sql`${feedbackItems.themes} @> array[${filters.theme}]::text[]` : undefined,
    filters.receivedFrom ? sql`${feedbackItems.receivedAt} >= ${filters.receivedFrom.toISOString()}` : undefined,
    filters.receivedTo ? sql`${feedbackItems.receivedAt} < ${filters.receivedTo.toISOString()}` : undefined,
    after
      ? sql`(${feedbackItems.receivedAt}, ${feedbackItems.id}) < (${after.receivedAt}::timestamptz, ${after.id}::uuid)`
      : undefined,
  ];
}

/**
 * Newest first, the order the item indexes are built in: `nulls last` as drizzle's .desc() makes them
 * (a plain `desc` means nulls first, which no index matches, so PostgreSQL would read and sort every
 * matching row to find one page).
 */
export const newestItemsFirst = sql`${feedbackItems.receivedAt} desc nulls last, ${feedbackItems.id} desc nulls last`;

/**
 * The scope as a condition on the unit column itself. The subtree is read first, because a
 * subquery hides from the planner how many units it names: for a ward (one unit) it then walked
 * the whole newest-first index filtering rows of other units (27 ms at 100k items, one page in a
 * hundred rows) instead of reading the ward's own rows from `feedback_unit_received_idx` (0.2 ms).
 */
function unitIn(unitIds: readonly string[]): SQL {
  return unitIds.length === 1 ? eq(feedbackItems.unitId, unitIds[0]!) : inArray(feedbackItems.unitId, [...unitIds]);
}

/** A listed item with what the list shows of its links: its actions' ids, and its current decision. */
export type ListedFeedbackRow = FeedbackRow & { actionIds: string[]; decision: DecisionRow | null };

/**
 * The listed item's id, named with its table. In the fields of a one-table select drizzle writes
 * every column without its table, so `${feedbackItems.id}` in a subquery over `decisions` became
 * `"id"`, the decision's own id: the subquery was no longer correlated, ran once per page as a scan
 * of every decision (about 65 ms at 1M items) and found none, so no listed item showed its decision.
 */
const listedItemId = sql`${sql.identifier(getTableName(feedbackItems))}.${sql.identifier('id')}`;

/**
 * The linked actions and the current decision, read with each listed row (one index probe each)
 * rather than by two more queries over the page's ids: fewer round trips, and no 50-parameter
 * `in` list for drizzle to build twice per page.
 */
const listedColumns = {
  ...itemColumns,
  actionIds: sql<
    string[]
  >`coalesce((select json_agg(${actionFeedback.actionId} order by ${actionFeedback.linkedAt}, ${actionFeedback.actionId}) from ${actionFeedback} where ${actionFeedback.feedbackId} = ${listedItemId}), '[]'::json)`,
  decision: sql<
    (Omit<DecisionRow, 'decidedAt'> & { decidedAt: string }) | null
  >`(select json_build_object('feedbackId', ${decisions.feedbackId}, 'reasonCode', ${decisions.reasonCode}, 'explanation', ${decisions.explanation}, 'referredTo', ${decisions.referredTo}, 'decidedAt', ${decisions.decidedAt}) from ${decisions} where ${decisions.feedbackId} = ${listedItemId} and ${decisions.supersededAt} is null)`,
};

/**
 * The listed columns as SQL text, written once: drizzle's select builder walked every column on every
 * page and mapped every field of every row back, together about a seventh of a list page's CPU in
 * the service. The rows come as the driver parses them; the timestamps are read into dates (one
 * driver gives text, the other dates).
 */
const listedSelectList = sql.raw(
  new PgDialect({ casing: columnCasing }).sqlToQuery(
    sql.join(
      Object.entries(listedColumns).map(([name, column]) => sql`${column} as ${sql.identifier(name)}`),
      sql`, `,
    ),
  ).sql,
);

type ListedTimestamp = 'receivedAt' | 'dueAt' | 'closedAt' | 'acknowledgeBy' | 'acknowledgedAt' | 'erasedAt';
type RawListedRow = Omit<ListedFeedbackRow, ListedTimestamp | 'decision'> & {
  [K in ListedTimestamp]: null extends FeedbackRow[K] ? Date | string | null : Date | string;
} & { decision: (Omit<DecisionRow, 'decidedAt'> & { decidedAt: string }) | null };

/** Newest first, (receivedAt, id) descending; `after` is the last row of the previous page. */
export async function listFeedbackRows(
  db: Database,
  filters: FeedbackFilters,
  limit: number,
  after?: ItemPageAfter,
): Promise<ListedFeedbackRow[]> {
  const unitIds = filters.within.length > 0 ? await unitIdsWithinAll(db, filters.within) : undefined;
  if (unitIds?.length === 0) return [];
  const conditions: (SQL | undefined)[] = [
    unitIds ? unitIn(unitIds) : undefined,
    ...itemFilterConditions({ ...filters, within: [] }, after),
    filters.createdByKeyId ? eq(feedbackItems.createdByKeyId, filters.createdByKeyId) : undefined,
    filters.overdue === true ? sql`${feedbackItems.closedAt} is null and ${feedbackItems.dueAt} < now()` : undefined,
    filters.overdue === false
      ? sql`not (${feedbackItems.closedAt} is null and ${feedbackItems.dueAt} < now())`
      : undefined,
    filters.overdueAcknowledgement === true ? acknowledgementOverdue : undefined,
    // An item recorded before the clock existed has no deadline, so it is never overdue.
    filters.overdueAcknowledgement === false ? sql`not coalesce(${acknowledgementOverdue}, false)` : undefined,
    filters.safeguarding ? eq(feedbackItems.safeguarding, filters.safeguarding) : undefined,
    filters.q ? sql`${feedbackItems.search} @@ websearch_to_tsquery('english', ${filters.q})` : undefined,
  ];
  const where = and(...conditions);
  const rows = await rowsOf<RawListedRow>(
    db,
    sql`select ${listedSelectList} from ${feedbackItems} ${where ? sql`where ${where}` : sql``} order by ${newestItemsFirst} limit ${limit + 1}`,
  );
  const at = (value: Date | string | null) => (value === null ? null : new Date(value));
  return rows.map((row) => ({
    ...row,
    receivedAt: new Date(row.receivedAt),
    dueAt: new Date(row.dueAt),
    closedAt: at(row.closedAt),
    acknowledgeBy: at(row.acknowledgeBy),
    acknowledgedAt: at(row.acknowledgedAt),
    erasedAt: at(row.erasedAt),
    decision: row.decision && { ...row.decision, decidedAt: new Date(row.decision.decidedAt) },
  }));
}
