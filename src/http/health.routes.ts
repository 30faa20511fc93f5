import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem } from './problems.js';
import { keepAnsweringUnderPressure } from './security.js';

const healthSchema = z
  .object({
    status: z.literal('ok'),
    replica: z
      .enum(['ok', 'lagging', 'unreachable'])
      .optional()
      .describe(
        'With DATABASE_REPLICA_URL: whether reports and auditors’ lists read the replica (`ok`), or the primary because it is over REPLICA_MAX_LAG_MS behind (`lagging`) or does not answer as a standby (`unreachable`); readiness does not depend on it',
      ),
  })
  .meta({ id: 'Health' });

const readinessTimeoutMs = 2_000;

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  // Liveness answers even while requests are shed: an overloaded process is alive, and restarting it
  // would only lose the work in flight. Readiness is shed like the rest, taking it out of rotation.
  app.get('/health/live', {
    config: { auth: 'public', pressureHandler: keepAnsweringUnderPressure },
    schema: {
      operationId: 'live',
      tags: ['health'],
      summary: 'The process is up',
      description:
        'For a liveness probe: answers 200 without touching the database, even while other requests are shed under load.',
      response: { 200: healthSchema },
    },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/health/ready', {
    config: { auth: 'public' },
    schema: {
      operationId: 'ready',
      tags: ['health'],
      summary: 'The database answers; 503 problem details when it does not',
      description:
        'For a readiness probe: runs `select 1` with a 2-second limit; a database that does not answer in time gives 503 with `Retry-After`. Shed under load like other requests, so an overloaded instance leaves the rotation.',
      response: { 200: healthSchema },
    },
    handler: async (_request, reply) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('readiness check timed out')), readinessTimeoutMs);
      });
      try {
        await Promise.race([app.db.execute(sql`select 1`), timeout]);
      } catch {
        reply.header('retry-after', '5');
        throw new HttpProblem('service-unavailable', 'The database is not answering');
      } finally {
        clearTimeout(timer);
      }
      const replica = await app.reads.replicaState();
      return { status: 'ok' as const, ...(replica ? { replica } : {}) };
    },
  });
};
