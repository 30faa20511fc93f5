import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import {
  columnCasing,
  type Database,
  type DatabaseHandle,
  type NotificationHandler,
  type PostgresTimeouts,
} from './database.js';
import * as schema from './schema/index.js';

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

export function openPostgres(url: string, timeouts: PostgresTimeouts, auditHmacKey?: string): DatabaseHandle {
  const pool = new SelfHealingPool({ ...clientConfig(url, timeouts, auditHmacKey), max: 10 });
  // A client whose connection dies (database restart, pg_terminate_backend) emits 'error'; while
  // idle the pool drops it and emits this, while checked out nothing else listens, and an
  // unhandled 'error' would end the process. Queries on it fail and the request answers 503.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzlePg({ client: pool, schema, casing: columnCasing }) as unknown as Database;
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
        await migratePg(drizzlePg({ client, casing: columnCasing }), { migrationsFolder });
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
