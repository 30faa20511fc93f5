import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../src/db/client.js';

/**
 * `npm run schema` writes docs/schema.sql, the schema as the migrations leave it (each function in
 * its latest definition, not as first written), from `pg_dump --schema-only` of a database it
 * creates on TEST_DATABASE_URL (or DATABASE_URL), migrates and drops; `--check` fails when the
 * committed file differs. Needs pg_dump of the server's major version or newer on the PATH.
 */
const schemaFile = 'docs/schema.sql';
const check = process.argv.includes('--check');

const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('Set TEST_DATABASE_URL or DATABASE_URL to a PostgreSQL server where a database may be created');
  process.exit(1);
}

const header = `-- The WeDid database schema as the migrations in migrations/ leave it, dumped by pg_dump from a
-- freshly migrated PostgreSQL database. Do not edit: run \`npm run schema\` (npm run check fails when
-- this file and the migrations disagree).

`;

/** Drops what changes from run to run or from machine to machine, so the file changes only with the schema. */
function normalise(dump: string): string {
  const kept = dump.split('\n').filter(
    (line) =>
      !line.startsWith('-- Dumped from database version') &&
      !line.startsWith('-- Dumped by pg_dump version') &&
      // pg_dump (15.14 and later) fences the script with a random key.
      !/^\\(un)?restrict /.test(line) &&
      !line.startsWith('SET ') &&
      !line.startsWith("SELECT pg_catalog.set_config('search_path'"),
  );
  return `${header}${kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

async function dumpFreshSchema(url: string): Promise<string> {
  const name = `wedid_schema_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  try {
    const target = new URL(url);
    target.pathname = `/${name}`;
    const handle = await openDatabase({ url: target.toString() });
    try {
      await handle.migrate('migrations');
    } finally {
      await handle.close();
    }
    // drizzle's bookkeeping of applied migrations is not part of the schema the service uses.
    const { stdout } = await promisify(execFile)(
      'pg_dump',
      ['--schema-only', '--no-owner', '--no-privileges', '--exclude-schema=drizzle', `--dbname=${target}`],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    return normalise(stdout);
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

const schema = await dumpFreshSchema(serverUrl);
if (check) {
  const committed = await readFile(schemaFile, 'utf8').catch(() => '');
  if (committed !== schema) {
    console.error(`${schemaFile} differs from the schema the migrations make: run npm run schema and commit it`);
    process.exit(1);
  }
  console.log(`${schemaFile} matches the migrated schema`);
} else {
  await writeFile(schemaFile, schema);
  console.log(`wrote ${schemaFile}`);
}
