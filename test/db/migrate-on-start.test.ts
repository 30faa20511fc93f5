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

const appliedVolatility = async (dataDir: string) => {
  const client = new PGlite(dataDir);
  try {
    const { rows } = await client.query<{ provolatile: string; applied: number }>(
      `select (select provolatile from pg_proc where proname = 'audit_field') as provolatile,
              (select count(*)::int from drizzle.__drizzle_migrations) as applied`,
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
  const last = journal.entries.pop()!;
  t.equal(last.tag, '0028_audit_link_inlined', 'the newest migration marks audit_field STABLE');
  await writeFile(join(older, 'meta', '_journal.json'), JSON.stringify(journal));

  const dataDir = join(scratch, 'data');
  const first = await openDatabase({ dataDir });
  await first.migrate(older);
  await first.close();
  t.same(await appliedVolatility(dataDir), { provolatile: 'i', applied: journal.entries.length }, 'the older release');

  for (const start of ['upgrade', 'restart']) {
    const handle = await openDatabase({ dataDir });
    await handle.migrate('migrations');
    await handle.close();
    t.same(
      await appliedVolatility(dataDir),
      { provolatile: 's', applied: journal.entries.length + 1 },
      `${start}: every migration applied exactly once`,
    );
  }
});
