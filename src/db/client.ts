import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
/** Either driver, and any transaction of either: repositories take this and never care which. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A database or a transaction: functions that must share a caller's transaction take this. */
export type Queryable = Database | Transaction;

export type NotificationHandler = (payload: string) => void;

export interface DatabaseHandle {
  readonly db: Database;
  readonly kind: 'postgres' | 'pglite';
  /** Subscribes to a PostgreSQL NOTIFY channel; resolves to an unsubscribe function. */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>>;
  /** Applies the drizzle-kit migrations in that folder; instances starting together take turns. */
  migrate(migrationsFolder: string): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget = { url: string } | { dataDir: string } | { pglite: PGlite };

const postgresTimeouts = {
  connectionTimeoutMillis: 5_000,
  // Long enough for a large report, short enough that a stuck query cannot hold a connection for ever.
  statement_timeout: 30_000,
  idle_in_transaction_session_timeout: 30_000,
};

/** Opens PostgreSQL through a `pg` pool, or embedded PGlite (a data directory, or an instance given). */
export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if ('url' in target) return openPostgres(target.url);
  if ('pglite' in target) return wrapPglite(target.pglite);
  await mkdir(target.dataDir, { recursive: true });
  const client = new PGlite(target.dataDir);
  await client.waitReady;
  return wrapPglite(client);
}

function openPostgres(url: string): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: 10, ...postgresTimeouts });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => {});
  const db = drizzlePg({ client: pool, schema, casing: 'snake_case' }) as unknown as Database;
  return {
    db,
    kind: 'postgres',
    async listen(channel, handler) {
      const client = new pg.Client({ connectionString: url, ...postgresTimeouts });
      client.on('error', () => {});
      await client.connect();
      client.on('notification', (message) => {
        if (message.channel === channel) handler(message.payload ?? '');
      });
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      return async () => {
        await client.end().catch(() => {});
      };
    },
    async migrate(migrationsFolder) {
      const client = await pool.connect();
      try {
        await client.query(`select pg_advisory_lock(hashtext('wedid.migrations'))`);
        await migratePg(drizzlePg({ client, casing: 'snake_case' }), { migrationsFolder });
      } finally {
        await client.query(`select pg_advisory_unlock(hashtext('wedid.migrations'))`).catch(() => {});
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

function wrapPglite(client: PGlite): DatabaseHandle {
  const db = drizzlePglite({ client, schema, casing: 'snake_case' }) as unknown as Database;
  return {
    db,
    kind: 'pglite',
    async listen(channel, handler) {
      const unlisten = await client.listen(channel, handler);
      // Like the pg variant: unsubscribing from a database already closed is not an error.
      return async () => {
        await unlisten().catch(() => {});
      };
    },
    async migrate(migrationsFolder) {
      await migratePglite(drizzlePglite({ client, casing: 'snake_case' }), { migrationsFolder });
    },
    close: () => client.close(),
  };
}
