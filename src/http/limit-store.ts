import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config.js';

/** One fixed-window limit: at most `max` counted under `key` in each `windowMs`. */
export interface LimitWindow {
  key: string;
  max: number;
  windowMs: number;
}

/** Where the counts of limits that are not @fastify/rate-limit routes live (failed keys, the public form). */
export interface LimitStore {
  /**
   * Counts one in every window unless one of them is spent; then nothing is counted and the seconds
   * until the first spent one reopens are returned. All or none, so a sending refused by one limit
   * does not use up another.
   */
  take(windows: readonly LimitWindow[]): Promise<number | null>;
  /** The seconds until `window` reopens when it is spent, else null; counts nothing. */
  retryAfter(window: LimitWindow): Promise<number | null>;
}

const secondsUntil = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Counts in this process: behind several instances each keeps its own. Bounded by keys kept (the oldest are forgotten first). */
class MemoryLimitStore implements LimitStore {
  // Bounded by maxSize (each window counts 1) rather than max, which allocates room for all 100,000
  // at construction: about 20 ms of CPU and a few MB for each of the three stores, before any request.
  readonly #windows = new LRUCache<string, { count: number; resetAt: number }>({
    maxSize: 100_000,
    sizeCalculation: () => 1,
  });

  async take(windows: readonly LimitWindow[]): Promise<number | null> {
    const now = Date.now();
    for (const window of windows) {
      const spent = this.#spentFor(window, now);
      if (spent !== null) return spent;
    }
    for (const { key, windowMs } of windows) {
      const counted = this.#windows.get(key);
      if (!counted || counted.resetAt <= now) this.#windows.set(key, { count: 1, resetAt: now + windowMs });
      else counted.count++;
    }
    return null;
  }

  async retryAfter(window: LimitWindow): Promise<number | null> {
    return this.#spentFor(window, Date.now());
  }

  #spentFor({ key, max }: LimitWindow, now: number): number | null {
    const counted = this.#windows.get(key);
    if (!counted || counted.resetAt <= now || counted.count < max) return null;
    return secondsUntil(counted.resetAt - now);
  }
}

// KEYS: the windows; ARGV: each window's max then its length in ms. Returns the ms until the first
// spent window reopens, or -1 when all had room and each was counted (a new window starts its clock).
const takeScript = `
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[2 * i - 1]) then return redis.call('PTTL', key) end
end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[2 * i]) end
end
return -1
`;

const retryAfterScript = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count < tonumber(ARGV[1]) then return -1 end
return redis.call('PTTL', KEYS[1])
`;

type LimitRedis = Redis & {
  limitTake(...keysThenArgs: (string | number)[]): Promise<number>;
  limitRetryAfter(key: string, max: number): Promise<number>;
};

/**
 * Counts in Redis, so every instance draws on the same budget. One script per call keeps a check and
 * its count atomic across instances. A failed call counts nothing and lets the request through.
 */
class RedisLimitStore implements LimitStore {
  constructor(
    readonly redis: LimitRedis,
    readonly prefix: string,
    readonly onError: (error: unknown) => void,
  ) {}

  async take(windows: readonly LimitWindow[]): Promise<number | null> {
    const keys = windows.map((window) => this.prefix + window.key);
    const args = windows.flatMap((window) => [window.max, window.windowMs]);
    return this.#failOpen(() => this.redis.limitTake(windows.length, ...keys, ...args));
  }

  async retryAfter(window: LimitWindow): Promise<number | null> {
    return this.#failOpen(() => this.redis.limitRetryAfter(this.prefix + window.key, window.max));
  }

  async #failOpen(call: () => Promise<number>): Promise<number | null> {
    try {
      const ms = await call();
      return ms < 0 ? null : secondsUntil(ms);
    } catch (error) {
      this.onError(error);
      return null;
    }
  }
}

/** A dead Redis must not stall requests: commands fail at once while it is away, and after this when it hangs. */
const commandTimeoutMs = 250;
/** A connection that answers nothing this long is dropped, so a hung Redis is treated as away (and warned of). */
const socketTimeoutMs = 1_000;
const connectTimeoutMs = 2_000;
/** An outage is logged once a minute, not once per request. */
const warnEveryMs = 60_000;

/**
 * Where every rate limit counts: Redis (REDIS_URL), shared by all instances, or this process alone.
 * While Redis is unreachable limits fail open (requests go through, a warning is logged) and
 * counting resumes when it answers again.
 */
export class LimitCounting {
  /** The client @fastify/rate-limit counts through, when REDIS_URL is set. */
  readonly redis: Redis | undefined;
  /** Prefixes every key, so several deployments can share one Redis. */
  readonly keyPrefix: string;
  readonly #log: FastifyBaseLogger;
  #lastWarnedAt = Number.NEGATIVE_INFINITY;
  #down = false;

  private constructor(config: Config, log: FastifyBaseLogger, RedisClient: typeof Redis | undefined) {
    this.keyPrefix = config.REDIS_KEY_PREFIX;
    this.#log = log;
    if (!config.REDIS_URL || !RedisClient) return;
    this.redis = new RedisClient(config.REDIS_URL, {
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: commandTimeoutMs,
      socketTimeout: socketTimeoutMs,
      connectTimeout: connectTimeoutMs,
      // A count sent before an outage belongs to a window that has passed: not sent again after it.
      autoResendUnfulfilledCommands: false,
    });
    this.redis.defineCommand('limitTake', { lua: takeScript });
    this.redis.defineCommand('limitRetryAfter', { numberOfKeys: 1, lua: retryAfterScript });
    this.redis.on('error', (error: unknown) => this.#warn(error));
    this.redis.on('ready', () => {
      if (this.#down) log.info('Redis answers again: rate limits count in it once more');
      this.#down = false;
    });
  }

  /**
   * Connects to Redis when set; an unreachable Redis does not stop start-up (the client keeps trying).
   * ioredis is loaded only then: without REDIS_URL the process does not hold it (about 20 MB).
   */
  static async open(config: Config, log: FastifyBaseLogger): Promise<LimitCounting> {
    const RedisClient = config.REDIS_URL ? (await import('ioredis')).Redis : undefined;
    const counting = new LimitCounting(config, log, RedisClient);
    await counting.redis?.connect().catch((error: unknown) => counting.#warn(error));
    return counting;
  }

  /** A store for counts that must not mix with other limits' (an in-memory one of its own without Redis). */
  store(): LimitStore {
    if (!this.redis) return new MemoryLimitStore();
    return new RedisLimitStore(this.redis as LimitRedis, `${this.keyPrefix}limit:`, (error) => this.#warn(error));
  }

  /** For readiness: whether Redis answers now, or undefined without one. */
  async redisStatus(): Promise<'ok' | 'unreachable' | undefined> {
    if (!this.redis) return undefined;
    try {
      await this.redis.ping();
      return 'ok';
    } catch (error) {
      this.#warn(error);
      return 'unreachable';
    }
  }

  close(): void {
    this.redis?.disconnect();
  }

  #warn(error: unknown): void {
    this.#down = true;
    const now = Date.now();
    if (now - this.#lastWarnedAt < warnEveryMs) return;
    this.#lastWarnedAt = now;
    this.#log.warn(
      { err: error },
      'Redis is unreachable: rate limits are not counted (requests go through) until it answers',
    );
  }
}
