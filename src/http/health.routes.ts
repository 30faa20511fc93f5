import { sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LimitCounting } from './limit-store.js';
import { HttpProblem } from './problems.js';
import { keepAnsweringUnderPressure } from './security.js';

const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
const readinessSchema = healthSchema
  .extend({
    redis: z
      .enum(['ok', 'unreachable'])
      .optional()
      .describe(
        'Only with REDIS_URL: whether Redis answers. While it does not, rate limits let requests through and the instance stays ready.',
      ),
    replica: z
      .enum(['ok', 'lagging', 'unreachable'])
      .optional()
      .describe(
        'Only with DATABASE_REPLICA_URL: whether reports and auditors’ lists read the replica (`ok`), or the primary because it is over REPLICA_MAX_LAG_MS behind (`lagging`) or does not answer as a standby (`unreachable`); readiness does not depend on it',
      ),
  })
  .meta({ id: 'Readiness' });

const readinessTimeoutMs = 2_000;

export const healthRoutes: FastifyPluginAsyncZod<{ counting: LimitCounting }> = async (app, { counting }) => {
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
        'For a readiness probe: runs `select 1` with a 2-second limit; a database that does not answer in time gives 503 with `Retry-After`. With REDIS_URL it also says whether Redis answers (`redis`); one that does not leaves the instance ready, since rate limits then let requests through. Shed under load like other requests, so an overloaded instance leaves the rotation.',
      response: { 200: readinessSchema },
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
      const [redis, replica] = await Promise.all([counting.redisStatus(), app.reads.replicaState()]);
      return { status: 'ok' as const, redis, ...(replica ? { replica } : {}) };
    },
  });
};
