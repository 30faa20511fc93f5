import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Append-only and hash-chained. `seq`, `prevHash` and `hash` are set by a database trigger under an
 * advisory lock, so the chain is one line whatever the number of writers; UPDATE, DELETE and
 * TRUNCATE are refused by triggers (see migrations). `chainVersion` says how `hash` was made: 1 the
 * original `|`-joined SHA-256, 2 length-prefixed fields, 3 the same keyed with AUDIT_HMAC_KEY.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigint({ mode: 'number' }).primaryKey().default(sql`0`),
    occurredAt: timestamp({ withTimezone: true, precision: 6 }).notNull().defaultNow(),
    actorKeyId: uuid(),
    actorName: text().notNull(),
    entityType: text().notNull(),
    entityId: text().notNull(),
    action: text().notNull(),
    /** Names of changed fields and public-safe details; never private text or contact values. */
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    prevHash: text().notNull().default(''),
    hash: text().notNull().default(''),
    chainVersion: smallint().notNull().default(2),
  },
  (table) => [
    index('audit_entity_idx').on(table.entityType, table.entityId, table.seq),
    index('audit_actor_idx').on(table.actorKeyId, table.seq),
    index('audit_time_idx').on(table.occurredAt),
    check('audit_events_chain_version_check', sql`chain_version in (1, 2, 3)`),
  ],
);
