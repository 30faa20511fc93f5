// biome-ignore-all assist/source/organizeImports: modules load in this order, and each zod schema
// registers its component as its module loads, so this order is the order of the components in
// openapi/openapi.json (`npm run openapi:check`). API keys load after audit, as when they lived in auth/.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { type Config, ConfigError } from './config.js';
import { type Database, type DatabaseHandle, openDatabase } from './db/client.js';
import { primaryReads, type Reads, replicaReads } from './db/replica.js';
import { answerFrameworkError, registerErrorHandling } from './http/error-handler.js';
import { healthRoutes } from './http/health.routes.js';
import { expireIdempotencyKeys } from './http/idempotency.js';
import { LimitCounting } from './http/limit-store.js';
import { lazyChildLogger, loggedPath, loggerOptions, writesInfo } from './http/logging.js';
import { registerOpenApi } from './http/openapi.js';
import { registerSecurity } from './http/security.js';
import { actionsRoutes } from './modules/actions/actions.routes.js';
import { lastChainVersion } from './modules/audit/audit.repository.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { ensureBootstrapAdmin } from './modules/api-keys/api-keys.bootstrap.js';
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes.js';
import { peopleRoutes } from './modules/people/people.routes.js';
import { registerAuth } from './modules/auth/auth.plugin.js';
import { boardsPages } from './modules/boards/boards.pages.js';
import { consolePages } from './modules/console/console.pages.js';
import { consoleReportsPages } from './modules/console/console-reports.pages.js';
import { boardsRoutes } from './modules/boards/boards.routes.js';
import { EventRetention } from './modules/events/event-retention.js';
import { EventSignal } from './modules/events/event-signal.js';
import { eventsRoutes } from './modules/events/events.routes.js';
import { feedbackRoutes } from './modules/feedback/feedback.routes.js';
import { feedbackBatchRoutes } from './modules/feedback/feedback-batch.routes.js';
import { feedbackLifecycleRoutes } from './modules/feedback/feedback-lifecycle.routes.js';
import { attachmentsRoutes } from './modules/attachments/attachments.routes.js';
import { sweepStagedUploads } from './modules/attachments/attachments.service.js';
import { followUpsRoutes } from './modules/follow-ups/follow-ups.routes.js';
import { recommendationsRoutes } from './modules/recommendations/recommendations.routes.js';
import { repliesPages } from './modules/replies/replies.pages.js';
import { repliesRoutes } from './modules/replies/replies.routes.js';
import { reportsRoutes } from './modules/reports/reports.routes.js';
import { ReplyWorker } from './modules/replies/reply-worker.js';
import { configuredProviders } from './modules/replies/reply-providers.js';
import { reviewRoutes } from './modules/review/review.routes.js';
import { safeguardingRoutes } from './modules/safeguarding/safeguarding.routes.js';
import { tellUsPages } from './modules/tell-us/tell-us.pages.js';
import { TellUsGuard } from './modules/tell-us/tell-us.guard.js';
import { tellUsRoutes } from './modules/tell-us/tell-us.routes.js';
import { themesRoutes } from './modules/themes/themes.routes.js';
import { trackingPages } from './modules/tracking/tracking.pages.js';
import { trackingRoutes } from './modules/tracking/tracking.routes.js';
import { unitsRoutes } from './modules/units/units.routes.js';
import { WebhookWorker } from './modules/webhooks/webhook-worker.js';
import { webhooksRoutes } from './modules/webhooks/webhooks.routes.js';
import { deliveredThrough } from './modules/webhooks/webhooks.repository.js';
import { reviewInvitesRoutes } from './modules/review-invites/review-invites.routes.js';
import { deleteEndedSessions } from './modules/sessions/sessions.repository.js';
import { sessionSecretOf } from './modules/sessions/sessions.plugin.js';
import { panelPages } from './modules/panel/panel.pages.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    /** The primary, and the replica for reads that need not see a write just made (reports, auditors' lists). */
    reads: Reads;
    config: Config;
  }
}

export interface AppDependencies {
  /** An open, migrated database; when absent the app opens (and migrates) the one the config names. */
  database?: DatabaseHandle;
  /** Pino options, `false` to silence (tests); defaults follow LOG_LEVEL. */
  logger?: FastifyServerOptions['logger'];
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** An incoming X-Request-Id is kept when it is a sane token, so traces join up across systems. */
function requestId(raw: IncomingMessage): string {
  const incoming = raw.headers['x-request-id'];
  return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
}

/**
 * Every schema is zod's: given as the compiler factories (what setValidatorCompiler and
 * setSerializerCompiler install), fastify never loads its default ajv and fast-json-stringify
 * compilers, about 0.1 s of start-up. fastify types the factories after ajv's, hence the cast.
 */
const zodCompilers = {
  buildValidator: () => validatorCompiler,
  buildSerializer: () => serializerCompiler,
} as unknown as NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

/** Builds the service without listening: server.ts, tests and benchmarks all start here. */
export async function buildApp(config: Config, deps: AppDependencies = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? loggerOptions(config.LOG_LEVEL),
    genReqId: requestId,
    childLoggerFactory: lazyChildLogger,
    // Our own onResponse hook writes the single line per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    trustProxy: config.TRUST_PROXY,
    frameworkErrors: answerFrameworkError,
    schemaController: { compilersFactory: zodCompilers },
  }).withTypeProvider<ZodTypeProvider>();

  const ownsDatabase = !deps.database;
  const timeouts = {
    connectMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    queryMs: config.DATABASE_QUERY_TIMEOUT_MS,
  };
  const database =
    deps.database ??
    (await openDatabase(
      config.DATABASE_URL
        ? {
            url: config.DATABASE_URL,
            timeouts,
            auditHmacKey: config.AUDIT_HMAC_KEY,
          }
        : { dataDir: config.DATA_DIR, auditHmacKey: config.AUDIT_HMAC_KEY },
    ));
  if (ownsDatabase && config.MIGRATE_ON_START) await database.migrate(resolve(config.MIGRATIONS_DIR));
  // Events written without the key after keyed ones would break the chain for good (a version going
  // down is what a forger's rewrite looks like), so a service that lost its key does not start.
  if (!config.AUDIT_HMAC_KEY && (await lastChainVersion(database.db)) === 3) {
    if (ownsDatabase) await database.close();
    throw new ConfigError('AUDIT_HMAC_KEY: the audit trail is keyed; start the service with its key');
  }
  // The pool connects on first use, so a replica that is down delays nothing at start-up.
  const replica = config.DATABASE_REPLICA_URL
    ? await openDatabase({ url: config.DATABASE_REPLICA_URL, timeouts })
    : undefined;
  app.decorate('db', database.db);
  app.decorate(
    'reads',
    replica
      ? replicaReads(database.db, replica, { maxLagMs: config.REPLICA_MAX_LAG_MS, log: app.log })
      : primaryReads(database.db),
  );
  app.decorate('config', config);
  app.addHook('onClose', async () => {
    await replica?.close();
    if (ownsDatabase) await database.close();
  });

  await ensureBootstrapAdmin(database.db, config.ADMIN_API_KEY, app.log);

  // Long polls end at once on shutdown (preClose runs before in-flight requests are awaited).
  const events = await EventSignal.listen(database);
  const webhookWorker = new WebhookWorker(database.db, events.signal, {
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    log: app.log,
  });
  // Replies wake with the events NOTIFY too: each reply is written with an event in one transaction.
  const replyWorker = config.SEND_REPLIES
    ? new ReplyWorker(database.db, events.signal, {
        publicBaseUrl: config.PUBLIC_BASE_URL,
        providers: await configuredProviders(config, config.REPLY_SEND_TIMEOUT_MS),
        sendTimeoutMs: config.REPLY_SEND_TIMEOUT_MS,
        log: app.log,
      })
    : undefined;
  // The change feed is pruned at start-up and hourly, never past what a webhook has still to send.
  const retention = new EventRetention(database.db, {
    days: config.EVENT_RETENTION_DAYS,
    deliveredThrough,
    log: app.log,
  });
  app.addHook('preClose', async () => {
    await Promise.all([webhookWorker.stop(), replyWorker?.stop(), retention.stop()]);
    await events.stop();
  });

  // Idempotency replies are promised for 24 hours; older ones are swept hourly, with what crashed
  // uploads left staged (a bounded batch each time).
  const sweep = () =>
    Promise.all([
      expireIdempotencyKeys(database.db).catch((err: unknown) => app.log.warn({ err }, 'idempotency sweep failed')),
      sweepStagedUploads(database.db).catch((err: unknown) => app.log.warn({ err }, 'staged upload sweep failed')),
    ]);
  await sweep();
  const sweepTimer = setInterval(sweep, 60 * 60 * 1000).unref();
  app.addHook('onClose', async () => clearInterval(sweepTimer));
  // Ended sessions already refuse use; the hourly sweep only keeps the table small.
  const sweepSessions = () =>
    deleteEndedSessions(database.db).catch((err: unknown) => app.log.warn({ err }, 'session sweep failed'));
  const sessionSweepTimer = setInterval(sweepSessions, 60 * 60 * 1000).unref();
  app.addHook('onClose', async () => clearInterval(sessionSweepTimer));
  if (!sessionSecretOf(config).shared) {
    app.log.warn('no SESSION_SECRET or AUDIT_HMAC_KEY: panel sign-ins last only until this process restarts');
  }

  // Set as the request comes in, like the security headers: every answer keeps it, errors too
  // (the router's own refusals, which run no onRequest hook, set it in answerFrameworkError).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // One log line per request; the path only, since query strings may carry search words. Below
  // info there is no line to write, so no hook to run.
  if (writesInfo(app.log)) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.info(
        {
          method: request.method,
          route: request.routeOptions.url,
          path: loggedPath(request),
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          key: request.principal?.keyId,
        },
        'request',
      );
      done();
    });
  }

  // Closed after the requests in flight, which may still count.
  const counting = await LimitCounting.open(config, app.log);
  app.addHook('onClose', async () => counting.close());

  registerErrorHandling(app);
  registerAuth(app, counting);
  await registerSecurity(app, config, counting);
  await registerOpenApi(app);

  // One guard for the form and the JSON route, so both draw on the same per-address counts.
  const tellUsGuard = new TellUsGuard(config, counting.store());
  if (!tellUsGuard.challengeOn) {
    app.log.warn(
      'no ALTCHA_HMAC_KEY or AUDIT_HMAC_KEY: the public form runs without its proof-of-work, under the stricter limit',
    );
  }

  // Both board routes count there, each under its own name.
  const boardLimits = counting.store();

  await app.register(healthRoutes, { counting });
  await app.register(
    async (v1) => {
      await v1.register(apiKeysRoutes);
      await v1.register(peopleRoutes);
      await v1.register(unitsRoutes);
      await v1.register(themesRoutes);
      await v1.register(safeguardingRoutes);
      await v1.register(feedbackRoutes);
      await v1.register(feedbackBatchRoutes);
      await v1.register(feedbackLifecycleRoutes);
      await v1.register(attachmentsRoutes);
      await v1.register(repliesRoutes);
      await v1.register(actionsRoutes);
      await v1.register(boardsRoutes, { database, limits: boardLimits });
      await v1.register(trackingRoutes);
      await v1.register(followUpsRoutes);
      await v1.register(reviewRoutes);
      await v1.register(recommendationsRoutes);
      await v1.register(tellUsRoutes, { guard: tellUsGuard });
      await v1.register(reportsRoutes);
      await v1.register(auditRoutes);
      await v1.register(eventsRoutes, { signal: events.signal });
      await v1.register(webhooksRoutes);
      await v1.register(reviewInvitesRoutes);
    },
    { prefix: '/v1' },
  );
  await app.register(boardsPages, { limits: boardLimits });
  await app.register(trackingPages);
  await app.register(repliesPages);
  await app.register(tellUsPages, { guard: tellUsGuard });
  await app.register(panelPages);
  await app.register(consolePages, { sections: [consoleReportsPages] });

  await app.ready();
  webhookWorker.start();
  replyWorker?.start();
  retention.start();
  return app;
}
