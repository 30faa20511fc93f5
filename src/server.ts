import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, loggableSettings } from './config.js';
import { DataDirLockedError } from './db/client.js';

/** A start-up failure the user can fix: its message is the one line printed, with no stack trace. */
class StartupError extends Error {}

function listenProblem(error: unknown, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new StartupError(`Port ${port} is already in use by another process: stop it, or set PORT to a free port`);
  }
  if (code === 'EACCES')
    return new StartupError(`Port ${port} may not be opened by this user: set PORT to 1024 or above`);
  return error;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await buildApp(config);
  app.log.info({ settings: loggableSettings(config) }, 'settings in effect');
  // SIGTERM/SIGINT: stop accepting, let requests in flight finish, close the database, exit 0.
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });
  try {
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    // The database (and DATA_DIR's lock) are released before the process ends.
    await app.close();
    throw listenProblem(error, config.PORT);
  }
  app.log.info(
    config.DATABASE_URL ? { database: 'postgres' } : { database: 'pglite', dataDir: config.DATA_DIR },
    'WeDid is ready',
  );
}

main().catch((error: unknown) => {
  const known = error instanceof StartupError || error instanceof ConfigError || error instanceof DataDirLockedError;
  console.error(known ? error.message : error);
  process.exit(1);
});
