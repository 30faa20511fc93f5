import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PGlite } from '@electric-sql/pglite';
import lockfile from 'proper-lockfile';
import type { DatabaseHandle, PostgresTimeouts } from './database.js';

export type { Database, DatabaseHandle, PostgresTimeouts, Queryable, Transaction } from './database.js';

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

/**
 * Opens PostgreSQL through a `pg` pool, or embedded PGlite (a data directory, or an instance given).
 * Only the driver in use is loaded: `pg` and drizzle's node-postgres driver, or PGlite and drizzle's
 * PGlite driver, so neither deployment pays at start-up for the other's modules.
 */
export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if ('url' in target) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(target.url, { ...defaultPostgresTimeouts, ...target.timeouts }, target.auditHmacKey);
  }
  // Its modules load while the data directory is locked.
  const driver = import('./pglite.js');
  if ('pglite' in target) return (await driver).openPglite(target.pglite, target.auditHmacKey);
  await mkdir(target.dataDir, { recursive: true });
  const unlock = await lockDataDir(
    target.dataDir,
    'stop that process, or give this one another DATA_DIR or a DATABASE_URL',
  );
  try {
    const handle = await (await driver).openPgliteDataDir(target.dataDir, target.auditHmacKey);
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
