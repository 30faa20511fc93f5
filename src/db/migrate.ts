import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config.js';
import { DataDirLockedError, openDatabase } from './client.js';

/** `npm run db:migrate`: applies migrations to DATABASE_URL, or to the PGlite data in DATA_DIR. */
async function main(): Promise<void> {
  const config = loadConfig();
  // With the key, audit events a migration writes are keyed like the service's own.
  const auditHmacKey = config.AUDIT_HMAC_KEY;
  const handle = await openDatabase(
    config.DATABASE_URL ? { url: config.DATABASE_URL, auditHmacKey } : { dataDir: config.DATA_DIR, auditHmacKey },
  );
  try {
    await handle.migrate(resolve(config.MIGRATIONS_DIR));
    console.log(`migrations applied (${handle.kind})`);
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof DataDirLockedError ? error.message : error);
  process.exit(1);
});
