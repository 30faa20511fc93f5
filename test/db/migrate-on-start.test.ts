import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import t from 'tap';
import { openDatabase } from '../../src/db/client.js';

// An embedded data directory made by an older release is upgraded by the next start, and one already
// up to date is started without the migrator (the start-up check that skips it must never skip a
// migration the directory lacks).

interface Journal {
  entries: { when: number; tag: string }[];
}

/** What a data directory holds: its migrations applied, and its schema's tables, indexes and functions. */
const stateOf = async (dataDir: string) => {
  const client = new PGlite(dataDir);
  try {
    const { rows } = await client.query<{ applied: number; newest: string; schema: string }>(
      `select (select count(*)::int from drizzle.__drizzle_migrations) as applied,
              (select max(created_at)::text from drizzle.__drizzle_migrations) as newest,
              (select string_agg(name, ',' order by name) from (
                 select c.relname::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = 'public'
                 union all
                 select p.proname || ':' || p.provolatile::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                 where n.nspname = 'public') s) as schema`,
    );
    return rows[0]!;
  } finally {
    await client.close();
  }
};

t.test('a data directory one migration behind gets it on the next start, and only once', async (t) => {
  const scratch = await mkdtemp(join(tmpdir(), 'wedid-migrate-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  const older = join(scratch, 'older-migrations');
  await cp('migrations', older, { recursive: true });
  const journal = JSON.parse(await readFile(join(older, 'meta', '_journal.json'), 'utf8')) as Journal;
  const newest = journal.entries.pop()!;
  await writeFile(join(older, 'meta', '_journal.json'), JSON.stringify(journal));

  const current = join(scratch, 'current');
  const fresh = await openDatabase({ dataDir: current });
  await fresh.migrate('migrations');
  await fresh.close();
  const expected = await stateOf(current);

  const dataDir = join(scratch, 'data');
  const first = await openDatabase({ dataDir });
  await first.migrate(older);
  await first.close();
  const before = await stateOf(dataDir);
  t.equal(before.applied, journal.entries.length, 'the older release applied all but the newest migration');
  t.not(before.schema, expected.schema, `the older release lacks what ${newest.tag} makes`);

  for (const start of ['upgrade', 'restart']) {
    const handle = await openDatabase({ dataDir });
    await handle.migrate('migrations');
    await handle.close();
    const after = await stateOf(dataDir);
    t.equal(after.applied, journal.entries.length + 1, `${start}: every migration applied exactly once`);
    t.equal(after.newest, String(newest.when), `${start}: the newest migration is recorded`);
    t.equal(after.schema, expected.schema, `${start}: the schema is what a fresh directory gets`);
  }
});
