import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await buildApp(config);
  // SIGTERM/SIGINT: stop accepting, let requests in flight finish, close the database, exit 0.
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });
  await app.listen({ port: config.PORT, host: config.HOST });
  app.log.info(
    { database: app.database.kind, dataDir: app.database.kind === 'pglite' ? config.DATA_DIR : undefined },
    'WeDid is ready',
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
