import { getHeapStatistics } from 'node:v8';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { HttpProblem } from './problems.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** @fastify/under-pressure's per-route override of what happens while the process is overloaded. */
    pressureHandler?: FastifyUnderPressureOptions['pressureHandler'];
  }
}

/** For `config.pressureHandler`: the route keeps answering while other requests are shed. */
export const keepAnsweringUnderPressure: NonNullable<FastifyUnderPressureOptions['pressureHandler']> = () => {};

const overloadRetryAfterSeconds = 10;

/**
 * Security headers, load shedding and rate limits, in that order, so even a shed or limited answer
 * carries the headers. Call after registerAuth: the per-key limit runs after a route's auth hook.
 */
export async function registerSecurity(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(helmet, {
    // For JSON and problem answers nothing may load or frame. HTML pages (boards, tracking) send
    // their own hash-based policy and /docs its own; a policy set by the route replaces this one.
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    frameguard: { action: 'deny' },
    // Browsers ignore HSTS over plain HTTP, so local use is unaffected. Not includeSubDomains: the
    // service does not own the trust's parent domain.
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
  });

  const heapLimit = getHeapStatistics().heap_size_limit;
  await app.register(underPressure, {
    maxEventLoopDelay: config.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
    maxHeapUsedBytes: Math.floor((heapLimit * config.PRESSURE_MAX_HEAP_USED_PERCENT) / 100),
    pressureHandler: async () => {
      throw new HttpProblem(
        'service-unavailable',
        'The service is overloaded; try again shortly',
        {},
        { 'retry-after': String(overloadRetryAfterSeconds) },
      );
    },
  });

  // Off by default; public routes opt in with `config.rateLimit` (per client address). A 429 becomes
  // problem details in the error handler, with Retry-After; the IETF RateLimit-* headers tell
  // clients their budget.
  await app.register(rateLimit, { global: false, enableDraftSpec: true });
  if (config.RATE_LIMIT_PER_KEY_PER_MINUTE > 0) {
    // One budget per API key across every authenticated route, so one runaway integration cannot
    // starve the others. It needs the principal, hence a hook placed after the route's auth hook.
    const perKeyLimit = app.rateLimit({
      max: config.RATE_LIMIT_PER_KEY_PER_MINUTE,
      timeWindow: 60_000,
      keyGenerator: (request) => request.principal?.keyId ?? request.ip,
    });
    app.addHook('onRoute', (route) => {
      const auth = route.config?.auth;
      if (!auth || auth === 'public' || route.config?.rateLimit) return;
      const existing = route.onRequest ? [route.onRequest].flat() : [];
      route.onRequest = [...existing, perKeyLimit as (typeof existing)[number]];
    });
  }
}
