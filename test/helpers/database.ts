import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';

export const migrationsFolder = resolve('migrations');

const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;

/**
 * Whether tests run on a PostgreSQL server named by the environment: tests that need a second
 * connection, or the service in a child process, skip without one (PGlite has one connection).
 */
export const onServer = Boolean(serverUrl);

export interface TestDatabase {
  handle: DatabaseHandle;
  kind: 'postgres' | 'testcontainers' | 'pglite';
  /** A connection URL, for tests that start a second instance or a child process (not on PGlite). */
  url: string | null;
  drop(): Promise<void>;
}

/**
 * The database picker: TEST_DATABASE_URL or DATABASE_URL when set (a fresh database per test file,
 * dropped after), else a PostgreSQL container when a Docker engine answers, else embedded PGlite.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (serverUrl) return freshDatabaseOn(serverUrl, 'postgres');
  const container = await startContainer();
  if (container) {
    const db = await freshDatabaseOn(container.getConnectionUri(), 'testcontainers');
    return {
      ...db,
      drop: async () => {
        await db.drop();
        await container.stop();
      },
    };
  }
  return pgliteDatabase();
}

async function freshDatabaseOn(serverUrl: string, kind: 'postgres' | 'testcontainers'): Promise<TestDatabase> {
  const name = `wedid_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString() });
  await handle.migrate(migrationsFolder);
  return {
    handle,
    kind,
    url: url.toString(),
    async drop() {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

async function startContainer() {
  const dockerAnswers = process.env.DOCKER_HOST || existsSync('/var/run/docker.sock');
  if (!dockerAnswers) return undefined;
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    return await new PostgreSqlContainer('postgres:16-alpine').start();
  } catch {
    return undefined;
  }
}

/**
 * PGlite takes seconds to initialise and migrate, so the migrated data directory is dumped once
 * (keyed by the migrations' content) and each test file loads a copy of it.
 */
export async function pgliteDatabase(): Promise<TestDatabase> {
  const files = (await readdir(migrationsFolder, { recursive: true })).sort();
  const hash = createHash('sha256');
  for (const file of files) {
    if (file.endsWith('.sql') || file.endsWith('.json'))
      hash.update(file).update(await readFile(join(migrationsFolder, file)));
  }
  const snapshotDir = join(tmpdir(), 'wedid-pglite-snapshots');
  const snapshot = join(snapshotDir, `${hash.digest('hex').slice(0, 16)}.tar.gz`);
  let client: PGlite;
  if (existsSync(snapshot)) {
    client = new PGlite({ loadDataDir: new Blob([await readFile(snapshot)]) });
  } else {
    client = new PGlite();
    const handle = await openDatabase({ pglite: client });
    await handle.migrate(migrationsFolder);
    const dump = await client.dumpDataDir('gzip');
    await mkdir(snapshotDir, { recursive: true });
    const partial = `${snapshot}.${process.pid}`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, snapshot);
  }
  const handle = await openDatabase({ pglite: client });
  return { handle, kind: 'pglite', url: null, drop: () => handle.close() };
}
