import { LRUCache } from 'lru-cache';

/** How much the board cache may hold: it is reachable without a key, so it must be bounded both ways. */
export interface BoardCacheLimits {
  maxEntries: number;
  maxBytes: number;
}

interface Entry {
  stamp: string;
  value: unknown;
}

/**
 * Built boards and rendered page parts kept in this process, so a board polled by many screens is
 * built once per change. Correctness never depends on it: every entry carries the database stamp it
 * was built from and is used only while the database still reports that stamp. LISTEN/NOTIFY on the
 * board channel clears it early so memory is not held for content that has changed.
 *
 * Anyone may ask for any variant of any board, so the cache is a least-recently-used one bounded by
 * entries and by bytes (lru-cache: maintained, and it evicts by size as well as by count, which a
 * Map trimmed by hand does not). Callers give each value's size and prefix their keys by kind.
 */
export class BoardCache {
  readonly #entries: LRUCache<string, Entry>;

  constructor(limits: BoardCacheLimits) {
    this.#entries = new LRUCache<string, Entry>({
      max: limits.maxEntries,
      maxSize: limits.maxBytes,
      // One oversized value must not flush everything else: it is simply not kept.
      maxEntrySize: Math.max(1, Math.floor(limits.maxBytes / 4)),
    });
  }

  /** The cached value when it was built from exactly this stamp. */
  get<Value>(key: string, stamp: string): Value | undefined {
    const entry = this.#entries.get(key);
    if (!entry || entry.stamp !== stamp) return undefined;
    return entry.value as Value;
  }

  /** Keeps a value of about `bytes` bytes (an estimate; what counts is that it grows with the value). */
  set(key: string, stamp: string, value: unknown, bytes: number): void {
    this.#entries.set(key, { stamp, value }, { size: Math.max(1, Math.ceil(bytes + key.length * 2)) });
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The bytes accounted for by the entries now held. */
  get bytes(): number {
    return this.#entries.calculatedSize;
  }
}

/** Bytes a string may take on the V8 heap (two a character when it is not Latin-1). */
export const stringBytes = (text: string): number => text.length * 2;

const caches = new WeakMap<object, BoardCache>();

/** The one cache of an app's database handle, shared by the JSON board and the HTML pages. */
export function boardCacheFor(database: object, limits: BoardCacheLimits): BoardCache {
  let cache = caches.get(database);
  if (!cache) {
    cache = new BoardCache(limits);
    caches.set(database, cache);
  }
  return cache;
}
