import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type * as schema from './schema/index.js';

// The database as the service sees it, whichever driver is underneath: what client.ts opens and
// postgres.ts and pglite.ts implement (client.ts re-exports it, so callers import from there).

export type Schema = typeof schema;
/** How the schema's property names become column names, for every handle and for SQL written ahead. */
export const columnCasing = 'snake_case';
/** Either driver, and any transaction of either: repositories take this and never care which. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A database or a transaction: functions that must share a caller's transaction take this. */
export type Queryable = Database | Transaction;

export type NotificationHandler = (payload: string) => void;

export interface DatabaseHandle {
  readonly db: Database;
  readonly kind: 'postgres' | 'pglite';
  /**
   * Subscribes to a PostgreSQL NOTIFY channel; resolves to an unsubscribe function. On PostgreSQL a
   * lost connection is re-established and the handler called once with an empty payload, since
   * notifications may have been missed meanwhile.
   */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>>;
  /** Applies the drizzle-kit migrations in that folder; instances starting together take turns. */
  migrate(migrationsFolder: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Time limits on PostgreSQL connections, so a database that is slow, gone or behind a network that
 * silently drops packets costs a request a bounded wait (then a 503), never a hang.
 */
export interface PostgresTimeouts {
  /** Opening a connection, and waiting for a free one when all ten are busy. */
  connectMs: number;
  /** PostgreSQL cancels a statement after this, and ends a session left idle inside a transaction. */
  statementMs: number;
  /**
   * The client stops waiting for an answer after this and drops the connection: the only limit that
   * holds when the network goes silent. Keep it above statementMs so PostgreSQL's own cancel comes first.
   */
  queryMs: number;
}
