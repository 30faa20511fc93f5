import { getHeapStatistics } from 'node:v8';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest, onSendHookHandler } from 'fastify';
import helmet from 'helmet';
import type { Config } from '../config.js';
import type { LimitCounting, LimitStore, LimitWindow } from './limit-store.js';
import { HttpProblem } from './problems.js';
import { appendRouteHook } from './route-hooks.js';

/**
 * Budgets per client address shared by every route that names one: a guess costs the same whichever
 * route it is made on. `tracking`: references must not be found by trying many, on /v1/track, /track
 * and any later follow-up route; a person needs a handful of looks.
 */
const addressBudgets = {
  tracking: { max: 30, timeWindow: 60_000 },
} as const;

export type AddressBudget = keyof typeof addressBudgets;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** @fastify/under-pressure's per-route override of what happens while the process is overloaded. */
    pressureHandler?: FastifyUnderPressureOptions['pressureHandler'];
    /** The shared per-address budget this route draws on (instead of a `rateLimit` of its own). */
    addressBudget?: AddressBudget;
    /** Every answer carries `Cache-Control: no-store`: it holds a secret or private data, or goes stale at once. */
    noStore?: boolean;
  }
}

/**
 * Whom a per-address limit counts: the client address (after TRUST_PROXY), IPv6 clients by their
 * /64, since one subscriber usually holds a whole /64 and could otherwise rotate through it.
 */
export const clientAddress = (request: FastifyRequest): string => normalizeIP(request.ip, 64);

/** A fixed window per client address, under `name` so the limits sharing a store keep apart. */
export const addressWindow = (request: FastifyRequest, name: string, max: number, windowMs: number): LimitWindow => ({
  key: `${name}:${clientAddress(request)}`,
  max,
  windowMs,
});

/**
 * A fixed window of `perMinute` requests per client address, counted in `store` under `name`, as an
 * onRequest hook: 429 problem details with Retry-After once spent. For hot public routes, where
 * @fastify/rate-limit's per-request work (and its RateLimit-* headers) costs more than it protects;
 * with Redis it counts there, shared by every instance, as every other limit does.
 */
export function addressLimit(store: LimitStore, name: string, perMinute: number) {
  return async (request: FastifyRequest): Promise<void> => {
    const seconds = await store.take([addressWindow(request, name, perMinute, 60_000)]);
    if (seconds === null) return;
    const retryAfter = String(seconds);
    throw new HttpProblem(
      'rate-limited',
      `Too many requests from this address; try again in ${retryAfter} s`,
      {},
      { 'retry-after': retryAfter },
    );
  };
}

/** Failed authentications per client address in a fixed window, so bearer secrets cannot be guessed at request speed. */
export class FailedAuthLimit {
  constructor(
    readonly store: LimitStore,
    readonly maxPerMinute: number,
  ) {}

  /** Throws 429 (with Retry-After) while this address has used up its failures. */
  async refuseIfSpent(request: FastifyRequest): Promise<void> {
    if (this.maxPerMinute === 0) return;
    const seconds = await this.store.retryAfter(this.#window(request));
    if (seconds === null) return;
    const retryAfter = String(seconds);
    throw new HttpProblem(
      'rate-limited',
      `Too many requests with an unknown or revoked API key from this address; try again in ${retryAfter} s`,
      {},
      { 'retry-after': retryAfter },
    );
  }

  async record(request: FastifyRequest): Promise<void> {
    if (this.maxPerMinute > 0) await this.store.take([this.#window(request)]);
  }

  #window(request: FastifyRequest): LimitWindow {
    return addressWindow(request, 'auth-failures', this.maxPerMinute, 60_000);
  }
}

type Helmet = ReturnType<typeof helmet>;

/**
 * The headers a helmet middleware sets, read by running it once on a stand-in response. Helmet sets
 * and removes headers synchronously and throws rather than passing an error to its callback.
 */
function helmetHeaders(middleware: Helmet): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = value;
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  middleware({} as Parameters<Helmet>[0], response as unknown as Parameters<Helmet>[1], () => {});
  return headers;
}

/** For `config.pressureHandler`: the route keeps answering while other requests are shed. */
export const keepAnsweringUnderPressure: NonNullable<FastifyUnderPressureOptions['pressureHandler']> = () => {};

const overloadRetryAfterSeconds = 10;

const sendNoStore: onSendHookHandler = async (_request, reply, payload) => {
  reply.header('cache-control', 'no-store');
  return payload;
};

/**
 * Security headers, load shedding and rate limits, in that order, so even a shed or limited answer
 * carries the headers. Call after registerAuth: the per-key limit runs after a route's auth hook.
 */
export async function registerSecurity(app: FastifyInstance, config: Config, counting: LimitCounting): Promise<void> {
  // helmet's headers do not depend on the request, so they are worked out once, by running helmet
  // on a stand-in response, and each answer gets them as Fastify headers: no per-request helmet
  // (@fastify/helmet builds a new one every request, about 7% of a board 304), and Node writes them
  // with the route's own in one pass. Set first, so the route's own headers (a page's policy) win.
  const securityHeaders = helmetHeaders(
    helmet({
      // For JSON and problem answers nothing may load or frame. HTML pages (boards, tracking) send
      // their own hash-based policy and /docs its own; a policy set by the route replaces this one.
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      frameguard: { action: 'deny' },
      // Browsers ignore HSTS over plain HTTP, so local use is unaffected. Not includeSubDomains: the
      // service does not own the trust's parent domain.
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
    }),
  );
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });

  // On errors too, so nothing a `noStore` route answers is kept by a cache.
  app.addHook('onRoute', (route) => {
    if (route.config?.noStore) appendRouteHook(route, 'onSend', sendNoStore);
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

  // Off by default; public routes opt in with `config.rateLimit` (per client address) or
  // `config.addressBudget` (shared). A 429 becomes problem details in the error handler, with
  // Retry-After; the IETF RateLimit-* headers tell clients their budget. With Redis every instance
  // counts there, and a Redis that does not answer lets requests through (LimitCounting warns).
  await app.register(rateLimit, {
    global: false,
    enableDraftSpec: true,
    ipv6Subnet: 64,
    ...(counting.redis && { redis: counting.redis, nameSpace: `${counting.keyPrefix}rate-limit:`, skipOnError: true }),
  });
  // One limiter per budget, so every route naming it draws on the same count. The limiters made
  // here share one key space in Redis, so each key names its budget.
  const budgets = new Map(
    Object.entries(addressBudgets).map(([name, limit]) => [
      name,
      app.rateLimit({ ...limit, keyGenerator: (request) => `${name}:${clientAddress(request)}` }),
    ]),
  );
  app.addHook('onRoute', (route) => {
    const limiter = route.config?.addressBudget && budgets.get(route.config.addressBudget);
    if (limiter) appendRouteHook(route, 'onRequest', limiter);
  });
  if (config.RATE_LIMIT_PER_KEY_PER_MINUTE > 0) {
    // One budget per API key across every authenticated route, so one runaway integration cannot
    // starve the others. It needs the principal, hence a hook placed after the route's auth hook.
    const perKeyLimit = app.rateLimit({
      max: config.RATE_LIMIT_PER_KEY_PER_MINUTE,
      timeWindow: 60_000,
      keyGenerator: (request) => `key:${request.principal?.keyId ?? clientAddress(request)}`,
    });
    app.addHook('onRoute', (route) => {
      const auth = route.config?.auth;
      if (!auth || auth === 'public' || auth === 'browser' || route.config?.rateLimit || route.config?.addressBudget)
        return;
      appendRouteHook(route, 'onRequest', perKeyLimit);
    });
  }
}
