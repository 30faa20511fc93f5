import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import lockfile from 'proper-lockfile';
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

export const defaultPostgresTimeouts: PostgresTimeouts = {
  connectMs: 5_000,
  // Long enough for a large report, short enough that a stuck query cannot hold a connection for ever.
  statementMs: 30_000,
  queryMs: 35_000,
};

export type DatabaseTarget = (
  | { url: string; timeouts?: Partial<PostgresTimeouts> }
  | { dataDir: string }
  | { pglite: PGlite }
) & {
  /**
   * AUDIT_HMAC_KEY, handed to every session as `wedid.audit_hmac_key` so the audit trigger and
   * verification can key the chain; a session setting only, never written to the database.
   */
  auditHmacKey?: string | undefined;
};

/** Opens PostgreSQL through a `pg` pool, or embedded PGlite (a data directory, or an instance given). */
export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if ('url' in target)
    return openPostgres(target.url, { ...defaultPostgresTimeouts, ...target.timeouts }, target.auditHmacKey);
  if ('pglite' in target) return openPglite(target.pglite, target.auditHmacKey);
  await mkdir(target.dataDir, { recursive: true });
  const unlock = await lockDataDir(
    target.dataDir,
    'stop that process, or give this one another DATA_DIR or a DATABASE_URL',
  );
  try {
    const client = new PGlite(target.dataDir);
    await client.waitReady;
    const handle = await openPglite(client, target.auditHmacKey);
    return {
      ...handle,
      async close() {
        await handle.close();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}

async function openPglite(client: PGlite, auditHmacKey: string | undefined): Promise<DatabaseHandle> {
  // PGlite is one session, in this process: set once, it holds for every query.
  if (auditHmacKey) await client.query(`select set_config('wedid.audit_hmac_key', $1, false)`, [auditHmacKey]);
  return wrapPglite(client);
}

/** Another process holds the data directory; its message is the one line start-up prints. */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

// A holder refreshes its lock every stale/2; a lock older than this was left by a process that died.
const lockStaleMs = 10_000;

/** The lock's two entries inside DATA_DIR: a copy of the directory (a backup) must not carry them. */
export const lockFiles = { lock: 'wedid.lock', holder: 'wedid.lock.json' } as const;

interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

function isRunningHere(holder: LockHolder | undefined): boolean {
  if (!holder || holder.host !== hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one process's database: two processes on one directory both answer and overwrite each
 * other's files. proper-lockfile takes the lock as a directory made atomically inside DATA_DIR (so
 * it works on any file system the data can live on, across containers sharing a volume, where an
 * OS-level lock such as flock would need a native module) and keeps it fresh; a lock left by a
 * process that was killed goes stale and is taken over, so a restart after `kill -9` waits at most
 * `lockStaleMs` rather than failing. If the lock is ever lost while running, proper-lockfile throws
 * and the service shuts down. `advice` ends the refusal: what the one refused should do. Answers the
 * release.
 */
export async function lockDataDir(dataDir: string, advice: string): Promise<() => Promise<void>> {
  const holderFile = join(dataDir, lockFiles.holder);
  const options = { lockfilePath: join(dataDir, lockFiles.lock), stale: lockStaleMs };
  const giveUpAt = Date.now() + lockStaleMs + 5_000;
  for (;;) {
    const release = await lockfile.lock(dataDir, options).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ELOCKED') return undefined;
      throw error;
    });
    if (release) {
      const holder: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      await writeFile(holderFile, JSON.stringify(holder));
      return async () => {
        await rm(holderFile, { force: true });
        await release();
      };
    }
    const holder = await readFile(holderFile, 'utf8')
      .then((text) => JSON.parse(text) as LockHolder)
      .catch(() => undefined);
    // A live holder on this machine answers at once; otherwise wait for the lock to go stale.
    if (isRunningHere(holder) || Date.now() > giveUpAt) {
      const who = holder ? `process ${holder.pid} on ${holder.host}, since ${holder.since}` : 'another process';
      throw new DataDirLockedError(
        `DATA_DIR ${dataDir} is in use by ${who}: embedded PGlite serves one process at a time; ${advice}`,
      );
    }
    await sleep(1_000);
  }
}

function clientConfig(url: string, timeouts: PostgresTimeouts, auditHmacKey?: string): pg.ClientConfig {
  return {
    connectionString: url,
    // In the startup packet, not a statement: statement logging and pg_stat_activity never show it.
    // The key's characters (base64 or hex, checked in config) need no quoting there.
    ...(auditHmacKey ? { options: `-c wedid.audit_hmac_key=${auditHmacKey}` } : {}),
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    idle_in_transaction_session_timeout: timeouts.statementMs,
    query_timeout: timeouts.queryMs,
    // A peer that vanished without closing (host down, connection dropped by a firewall) is noticed
    // on an idle connection too, not only when the next query waits in vain.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/**
 * A pool whose checked-out clients cannot be lost. drizzle runs each transaction on a client from
 * connect() and, when `begin` itself fails, never releases it; a query that timed out leaves its
 * connection waiting for an answer that may never come. Either way the client must leave the pool,
 * or the pool shrinks to nothing and the service stays down after the database is back.
 */
class SelfHealingPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(
    callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): void;
  override connect(
    callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): Promise<pg.PoolClient> | undefined {
    // pool.query() takes this path and already releases with the error, which discards the client.
    if (callback) {
      super.connect(callback);
      return;
    }
    return super.connect().then(releasedWhenBroken);
  }
}

function releasedWhenBroken(client: pg.PoolClient): pg.PoolClient {
  const release = client.release;
  const query = client.query;
  let released = false;
  const releaseOnce = (err?: Error | boolean) => {
    if (released) return;
    released = true;
    client.removeListener('end', onEnd);
    // The pool hands this client out again: unwrap, or wrappers would pile up one per checkout.
    client.query = query;
    release(err);
  };
  const onEnd = () => releaseOnce(new Error('connection ended while checked out'));
  client.once('end', onEnd);
  client.release = releaseOnce;
  client.query = function (this: pg.PoolClient, ...args: unknown[]) {
    const result = (query as (...a: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if (error instanceof Error && error.message === 'Query read timeout') releaseOnce(error);
      });
    }
    return result;
  } as typeof client.query;
  return client;
}

function openPostgres(url: string, timeouts: PostgresTimeouts, auditHmacKey?: string): DatabaseHandle {
  const pool = new SelfHealingPool({ ...clientConfig(url, timeouts, auditHmacKey), max: 10 });
  // A client whose connection dies (database restart, pg_terminate_backend) emits 'error'; while
  // idle the pool drops it and emits this, while checked out nothing else listens, and an
  // unhandled 'error' would end the process. Queries on it fail and the request answers 503.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzlePg({ client: pool, schema, casing: 'snake_case' }) as unknown as Database;
  return {
    db,
    kind: 'postgres',
    listen: (channel, handler) => listenPostgres(url, timeouts, channel, handler),
    async migrate(migrationsFolder) {
      // A connection of its own with no time limits: an instance waiting here while another builds
      // an index must not be cancelled, and a backfill of a million rows (migration 0030) can take
      // longer than any request may.
      const client = new pg.Client({
        ...clientConfig(url, timeouts, auditHmacKey),
        statement_timeout: undefined,
        idle_in_transaction_session_timeout: undefined,
        query_timeout: undefined,
      });
      client.on('error', () => {});
      await client.connect();
      try {
        await client.query(`select pg_advisory_lock(hashtext('wedid.migrations'))`);
        await migratePg(drizzlePg({ client, casing: 'snake_case' }), { migrationsFolder });
      } finally {
        await client.query(`select pg_advisory_unlock(hashtext('wedid.migrations'))`).catch(() => {});
        await client.end().catch(() => {});
      }
    },
    close: () => pool.end(),
  };
}

const relistenFirstDelayMs = 500;
const relistenMaxDelayMs = 30_000;

/**
 * LISTEN on a connection of its own, re-established (with growing pauses) whenever it is lost, so
 * notifications resume by themselves when the database comes back. Notifications sent while it was
 * away are lost, so the handler is called once, with an empty payload, on each reconnection.
 */
async function listenPostgres(
  url: string,
  timeouts: PostgresTimeouts,
  channel: string,
  handler: NotificationHandler,
): Promise<() => Promise<void>> {
  let current: pg.Client | undefined;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client(clientConfig(url, timeouts));
    client.on('error', () => {});
    try {
      await client.connect();
      client.on('notification', (message) => {
        if (message.channel === channel) handler(message.payload ?? '');
      });
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    client.once('end', () => {
      if (!stopped) reconnectAfter(relistenFirstDelayMs);
    });
    return client;
  };

  const reconnectAfter = (delayMs: number) => {
    retryTimer = setTimeout(async () => {
      try {
        const client = await connect();
        if (stopped) {
          await client.end().catch(() => {});
          return;
        }
        current = client;
        handler('');
      } catch {
        if (!stopped) reconnectAfter(Math.min(delayMs * 2, relistenMaxDelayMs));
      }
    }, delayMs).unref();
  };

  current = await connect();
  return async () => {
    stopped = true;
    clearTimeout(retryTimer);
    await current?.end().catch(() => {});
  };
}

/**
 * Whether drizzle's migrator would apply nothing: it applies each journal entry whose `when` is
 * later than the `created_at` of the last migration it recorded, so when that is at or past the
 * journal's last `when` there is nothing to do. Checked first because the migrator itself reads and
 * hashes every migration file and runs two DDL statements before it finds that out (about 0.2 s of
 * an embedded start). Any doubt (no journal, no table yet) answers false and the migrator decides.
 */
async function alreadyMigrated(
  migrationsFolder: string,
  query: (text: string) => Promise<{ rows: { created_at: string | number | null }[] }>,
): Promise<boolean> {
  try {
    const journal = JSON.parse(await readFile(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
      entries: { when: number }[];
    };
    const newest = Math.max(...journal.entries.map((entry) => entry.when));
    const { rows } = await query(
      'select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1',
    );
    const applied = rows[0]?.created_at;
    return Number.isFinite(newest) && applied !== undefined && applied !== null && Number(applied) >= newest;
  } catch {
    return false;
  }
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
      // One process holds the data directory, so nothing can migrate between the check and the skip.
      if (await alreadyMigrated(migrationsFolder, (text) => client.query<{ created_at: string }>(text))) return;
      await migratePglite(drizzlePglite({ client, casing: 'snake_case' }), { migrationsFolder });
    },
    close: () => client.close(),
  };
}
