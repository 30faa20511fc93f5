/**
 * Built boards kept in this process, so a board polled by many screens is built once per change.
 * Correctness never depends on it: every entry carries the database stamp it was built from and is
 * used only while the database still reports that stamp. LISTEN/NOTIFY on the board channel clears
 * it early so memory is not held for content that has changed.
 */
export class BoardCache<Value> {
  readonly #entries = new Map<string, { stamp: string; value: Value }>();
  readonly #maxEntries: number;

  constructor(maxEntries = 500) {
    this.#maxEntries = maxEntries;
  }

  /** The cached value when it was built from exactly this stamp. */
  get(key: string, stamp: string): Value | undefined {
    const entry = this.#entries.get(key);
    if (!entry || entry.stamp !== stamp) return undefined;
    // Re-insert so the Map's order is least recently used first.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, stamp: string, value: Value): void {
    this.#entries.delete(key);
    this.#entries.set(key, { stamp, value });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}

const caches = new WeakMap<object, BoardCache<unknown>>();

/** The one cache of an app's database handle, shared by the JSON board and the HTML pages. */
export function boardCacheFor<Value>(database: object): BoardCache<Value> {
  let cache = caches.get(database);
  if (!cache) {
    cache = new BoardCache<unknown>();
    caches.set(database, cache);
  }
  return cache as BoardCache<Value>;
}
