import { createHash, createHmac } from 'node:crypto';
import { createChallenge, randomInt, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config.js';
import { canonicalJson } from '../../http/idempotency.js';
import type { LimitStore } from '../../http/limit-store.js';
import { addressWindow, clientAddress } from '../../http/security.js';

const hourMs = 3_600_000;
/** How long an identical sending from the same address is answered with the first reference. */
const repeatWindowMs = 10 * 60_000;
/** A challenge is good for this long: enough to write a long message, short enough to be useless in bulk. */
const challengeLifetimeSeconds = 30 * 60;

/**
 * The key that signs proof-of-work challenges: the same on every instance, so any one verifies
 * what another issued. ALTCHA_HMAC_KEY, else derived from AUDIT_HMAC_KEY (never random at start-up).
 */
function challengeKey(config: Config): string | undefined {
  if (config.ALTCHA_HMAC_KEY) return config.ALTCHA_HMAC_KEY;
  if (config.AUDIT_HMAC_KEY) return createHmac('sha256', config.AUDIT_HMAC_KEY).update('wedid altcha').digest('hex');
  return undefined;
}

interface StoredReceipt {
  reference: string;
  receivedAt: string;
  dueAt: string;
}

/**
 * Abuse protection for the public form and route that shuts no one out: an hourly limit per address,
 * a stricter one for sendings without a solved proof-of-work (so no JavaScript still works), and an
 * identical sending from the same address within ten minutes answered with the first reference.
 * The hourly counts and spent challenges are in the store (Redis, shared by every instance, when
 * set); recent sendings are in memory, per instance.
 */
export class TellUsGuard {
  readonly #perHour: number;
  readonly #unprovenPerHour: number;
  readonly #limits: LimitStore;
  readonly #key: string | undefined;
  readonly #recent = new LRUCache<string, StoredReceipt>({ max: 20_000, ttl: repeatWindowMs });

  constructor(config: Config, limits: LimitStore) {
    this.#perHour = config.TELL_US_RATE_LIMIT_PER_HOUR;
    this.#unprovenPerHour = config.TELL_US_RATE_LIMIT_WITHOUT_CHALLENGE_PER_HOUR;
    this.#limits = limits;
    this.#key = challengeKey(config);
  }

  /** Whether the form offers the proof-of-work (there is a key to sign it). */
  get challengeOn(): boolean {
    return this.#key !== undefined;
  }

  async newChallenge(): Promise<Record<string, unknown>> {
    if (!this.#key) throw new Error('no ALTCHA key configured');
    return {
      ...(await createChallenge({
        algorithm: 'PBKDF2/SHA-256',
        cost: 500,
        counter: randomInt(200, 1_500),
        deriveKey,
        hmacSignatureSecret: this.#key,
        expiresAt: Math.floor(Date.now() / 1000) + challengeLifetimeSeconds,
      })),
    };
  }

  /**
   * Whether `payload` is a solved, unexpired, unspent challenge of ours (and spends it). A bad or
   * stale one is not an error: the sending is simply treated as unproven.
   */
  async proven(payload: string | undefined): Promise<boolean> {
    if (!payload || !this.#key) return false;
    let parsed: { challenge?: { parameters?: { nonce?: string } }; solution?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
    } catch {
      return false;
    }
    const nonce = parsed.challenge?.parameters?.nonce;
    if (!nonce || !parsed.solution) return false;
    try {
      const result = await verifySolution({
        challenge: parsed.challenge as Parameters<typeof verifySolution>[0]['challenge'],
        solution: parsed.solution as Parameters<typeof verifySolution>[0]['solution'],
        deriveKey,
        hmacSignatureSecret: this.#key,
      });
      if (!result.verified) return false;
    } catch {
      return false;
    }
    // Spent once on any instance, so one solution cannot send a flood.
    const spent = { key: `challenge-spent:${nonce}`, max: 1, windowMs: challengeLifetimeSeconds * 1000 };
    return (await this.#limits.take([spent])) === null;
  }

  /** Counts a sending from this address, or (counting nothing) gives the seconds to wait before it may send again. */
  take(request: FastifyRequest, proven: boolean): Promise<number | null> {
    const all = addressWindow(request, 'tell-us', this.#perHour, hourMs);
    const unproven = addressWindow(request, 'tell-us-unproven', this.#unprovenPerHour, hourMs);
    return this.#limits.take(proven ? [all] : [all, unproven]);
  }

  /** The key of a sending: its address, unit and content (not its proof), hashed. */
  sendingKey(request: FastifyRequest, unitId: string, content: unknown): string {
    return createHash('sha256')
      .update(`${clientAddress(request)}\n${unitId}\n${canonicalJson(content)}`)
      .digest('base64url');
  }

  recentReceipt(key: string): StoredReceipt | undefined {
    return this.#recent.get(key);
  }

  remember(key: string, receipt: StoredReceipt): void {
    this.#recent.set(key, receipt);
  }
}
