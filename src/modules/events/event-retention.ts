import type { FastifyBaseLogger } from 'fastify';
import type { Database, Queryable } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { type FeedPosition, pruneFeedBatch } from './events.repository.js';

const dayMs = 86_400_000;
const hourMs = 3_600_000;

export interface PruneOptions {
  /** EVENT_RETENTION_DAYS: events older than this go. */
  days: number;
  /**
   * How far every enabled webhook subscription is done with the feed: the prune stops there. Passed
   * in by app.ts, since webhooks sit above events.
   */
  deliveredThrough: (db: Queryable) => Promise<FeedPosition | undefined>;
  now?: Date;
  /** Events per batch, each batch its own short transaction. */
  batchSize?: number;
}

/** Prunes one batch of the change feed in its own transaction; returns the events pruned (0: done). */
export function pruneEventBatch(db: Database, options: PruneOptions): Promise<number> {
  const before = new Date((options.now ?? new Date()).getTime() - options.days * dayMs);
  return inTransaction(db, async (tx) =>
    pruneFeedBatch(tx, before, await options.deliveredThrough(tx), options.batchSize ?? 1000),
  );
}

/**
 * Keeps the change feed to EVENT_RETENTION_DAYS: prunes at start-up and then hourly, batch after
 * batch until nothing more may go. A run is not awaited at start-up (a first prune of years of
 * events takes a while) and never overlaps the next; stop() ends it between batches.
 */
export class EventRetention {
  readonly #db: Database;
  readonly #options: PruneOptions & { log: FastifyBaseLogger };
  readonly #stopping = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(db: Database, options: PruneOptions & { log: FastifyBaseLogger }) {
    this.#db = db;
    this.#options = options;
  }

  start(): void {
    this.#run();
    this.#timer ??= setInterval(() => this.#run(), hourMs).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#stopping.abort();
    await this.#running;
  }

  #run(): void {
    if (this.#running || this.#stopping.signal.aborted) return;
    this.#running = this.#pruneAll()
      .catch((err: unknown) => this.#options.log.warn({ err }, 'change feed prune failed'))
      .finally(() => {
        this.#running = undefined;
      });
  }

  async #pruneAll(): Promise<void> {
    let pruned = 0;
    while (!this.#stopping.signal.aborted) {
      const batch = await pruneEventBatch(this.#db, this.#options);
      if (batch === 0) break;
      pruned += batch;
    }
    if (pruned > 0) this.#options.log.info({ events: pruned }, 'change feed pruned');
  }
}
