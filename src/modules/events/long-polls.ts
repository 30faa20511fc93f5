import { HttpProblem } from '../../http/problems.js';

export interface LongPollLimits {
  /** Long polls one API key may hold open at once. */
  perKey: number;
  /** Long polls this instance holds open at once, all keys together. */
  total: number;
  /** Feed queries that may run at once: the rest of the connection pool stays free for other work. */
  queries: number;
}

const retryAfterSeconds = '5';

/**
 * What the change feed may take from the instance. Waiting long polls hold no database connection
 * (they sleep on LISTEN/NOTIFY), but each one is a socket and a wake-up costs a query: so the open
 * ones are counted per key and in total, and every feed query waits for one of a few slots, so a
 * burst of wake-ups queues here in memory instead of taking the whole pool.
 */
export class LongPolls {
  readonly #openPerKey = new Map<string, number>();
  #openTotal = 0;
  #runningQueries = 0;
  readonly #queued: (() => void)[] = [];

  constructor(readonly limits: LongPollLimits) {}

  /**
   * Counts a long poll as open until the returned function is called. Over the key's cap the answer
   * is 429 (that key is polling more than it needs); over the instance's cap it is 503. Both carry
   * Retry-After, so a poller waits before asking again instead of spinning on empty answers.
   */
  open(keyId: string): () => void {
    const mine = this.#openPerKey.get(keyId) ?? 0;
    if (mine >= this.limits.perKey) {
      throw new HttpProblem(
        'rate-limited',
        `This API key already has ${mine} long polls open (EVENTS_LONG_POLLS_PER_KEY); wait for one to answer`,
        {},
        { 'retry-after': retryAfterSeconds },
      );
    }
    if (this.#openTotal >= this.limits.total) {
      throw new HttpProblem(
        'service-unavailable',
        'The service holds as many long polls as it may (EVENTS_LONG_POLLS_TOTAL); try again shortly',
        {},
        { 'retry-after': retryAfterSeconds },
      );
    }
    this.#openPerKey.set(keyId, mine + 1);
    this.#openTotal++;
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.#openTotal--;
      const left = (this.#openPerKey.get(keyId) ?? 1) - 1;
      if (left > 0) this.#openPerKey.set(keyId, left);
      else this.#openPerKey.delete(keyId);
    };
  }

  /** Runs a feed query in one of the query slots, waiting for a free one first. */
  async query<T>(run: () => Promise<T>): Promise<T> {
    if (this.#runningQueries >= this.limits.queries) {
      await new Promise<void>((resolve) => this.#queued.push(resolve));
    } else {
      this.#runningQueries++;
    }
    try {
      return await run();
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = this.#queued.shift();
      if (next) next();
      else this.#runningQueries--;
    }
  }
}
