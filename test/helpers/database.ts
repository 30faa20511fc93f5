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
  const template = await migratedTemplateOn(serverUrl);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${template}`);
  await admin.end();
  const handle = await openDatabase({ url: databaseUrl(serverUrl, name) });
  // A no-op on the copy of a migrated template, kept so a test always runs on a migrated database.
  await handle.migrate(migrationsFolder);
  return {
    handle,
    kind,
    url: databaseUrl(serverUrl, name),
    async drop() {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Migrating a database takes about half a second, and a run creates hundreds: the migrated schema
 * is built once per server and migrations' content, as a template database (named by their hash),
 * and each test database is a copy of it. Test processes build it one at a time under an advisory
 * lock; it is renamed into place only once migrated, so a copy is never taken of a half-built one.
 */
async function migratedTemplateOn(serverUrl: string): Promise<string> {
  const template = `wedid_template_${await migrationsHash()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`select pg_advisory_lock(hashtext('wedid.test-template'))`);
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [template]);
    if (rowCount === 0) {
      const building = `${template}_building`;
      await admin.query(`drop database if exists ${building} with (force)`);
      await admin.query(`create database ${building}`);
      const handle = await openDatabase({ url: databaseUrl(serverUrl, building) });
      try {
        await handle.migrate(migrationsFolder);
      } finally {
        await handle.close();
      }
      await admin.query(`alter database ${building} rename to ${template}`);
    }
  } finally {
    await admin.end();
  }
  return template;
}

/** The first 16 hex digits of a hash of the migrations' SQL and journal, naming what they build. */
async function migrationsHash(): Promise<string> {
  const files = (await readdir(migrationsFolder, { recursive: true })).sort();
  const hash = createHash('sha256');
  for (const file of files) {
    if (file.endsWith('.sql') || file.endsWith('.json'))
      hash.update(file).update(await readFile(join(migrationsFolder, file)));
  }
  return hash.digest('hex').slice(0, 16);
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
  const snapshotDir = join(tmpdir(), 'wedid-pglite-snapshots');
  const snapshot = join(snapshotDir, `${await migrationsHash()}.tar.gz`);
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
