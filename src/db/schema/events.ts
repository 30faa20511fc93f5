import { sql } from 'drizzle-orm';
import { bigint, boolean, check, customType, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { eventTypes, sqlList } from './enums.js';
import { units } from './units.js';

/** A transaction id (64-bit, never wraps), compared as text-free numbers in SQL; a decimal string in JS. */
export const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/**
 * The transactional outbox. Rows are written by triggers on feedback_items, actions and units, in
 * the transaction of the change, so no change commits without its event. Readers follow commit
 * order (eventCommits), not `position`, which is drawn before commit.
 */
export const events = pgTable(
  'events',
  {
    position: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    txId: xid8().notNull().default(sql`pg_current_xact_id()`),
    /** `webhook-id` of every delivery of this event. */
    id: uuid().notNull().unique().defaultRandom(),
    type: text({ enum: eventTypes }).notNull(),
    unitId: uuid()
      .notNull()
      .references(() => units.id),
    data: jsonb().$type<Record<string, unknown>>().notNull(),
    occurredAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index('events_order_idx').on(table.txId, table.position),
    check('events_type_check', sql.raw(`type in ${sqlList(eventTypes)}`)),
  ],
);

/**
 * One row per transaction that wrote events, numbered at commit under the same lock that orders the
 * audit chain (a deferred trigger, so the lock is still taken last). Numbers therefore follow
 * commit order: a reader that has seen commit n can never later find a commit below n, so a
 * cursor of (seq, position) skips nothing, whatever runs elsewhere on the server.
 */
export const eventCommits = pgTable('event_commits', {
  seq: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  txId: xid8().notNull().unique().default(sql`pg_current_xact_id()`),
});

/**
 * How far the change feed has been pruned (EVENT_RETENTION_DAYS): every event up to this feed
 * position is gone, every one after it is kept. One row, moved forward in the transaction of each
 * prune batch; triggers (see migrations) refuse moving it back and deleting an event past it, so a
 * reader that compares its cursor with it in the same statement never misses an event unawares.
 */
export const eventRetention = pgTable(
  'event_retention',
  {
    one: boolean().primaryKey().default(true),
    prunedThroughSeq: bigint({ mode: 'number' }).notNull().default(0),
    prunedThroughPosition: bigint({ mode: 'number' }).notNull().default(0),
    prunedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (table) => [
    check('event_retention_one_row', sql`${table.one}`),
    check(
      'event_retention_position_check',
      sql`${table.prunedThroughSeq} >= 0 and ${table.prunedThroughPosition} >= 0`,
    ),
  ],
);
