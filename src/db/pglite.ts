import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { columnCasing, type Database, type DatabaseHandle } from './database.js';
import * as schema from './schema/index.js';

/** PGlite on a data directory (created when empty); the caller holds the directory's lock. */
export async function openPgliteDataDir(dataDir: string, auditHmacKey: string | undefined): Promise<DatabaseHandle> {
  const client = new PGlite(dataDir);
  await client.waitReady;
  return openPglite(client, auditHmacKey);
}

/** A PGlite instance already made (tests and scripts give one, often in memory). */
export async function openPglite(client: PGlite, auditHmacKey: string | undefined): Promise<DatabaseHandle> {
  // PGlite is one session, in this process: set once, it holds for every query.
  if (auditHmacKey) await client.query(`select set_config('wedid.audit_hmac_key', $1, false)`, [auditHmacKey]);
  return wrapPglite(client);
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
  const db = drizzlePglite({ client, schema, casing: columnCasing }) as unknown as Database;
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
      await migratePglite(drizzlePglite({ client, casing: columnCasing }), { migrationsFolder });
    },
    close: () => client.close(),
  };
}
