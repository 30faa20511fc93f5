import { readFile, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';

/**
 * `npm run openapi` writes the served document to openapi/openapi.json;
 * `--check` fails when the committed file differs from what the service serves.
 */
const target = 'openapi/openapi.json';
const check = process.argv.includes('--check');

const database = await openDatabase({ pglite: new PGlite() });
const config = loadConfig({ LOG_LEVEL: 'silent' });
await database.migrate(config.MIGRATIONS_DIR);
const app = await buildApp(config, { database, logger: false });
const served = `${JSON.stringify((await app.inject({ url: '/openapi.json' })).json(), null, 2)}\n`;
await app.close();
await database.close();

if (check) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== served) {
    console.error(`${target} differs from what the service serves: run npm run openapi and commit it`);
    process.exit(1);
  }
  console.log(`${target} matches the served document`);
} else {
  await writeFile(target, served);
  console.log(`wrote ${target}`);
}
