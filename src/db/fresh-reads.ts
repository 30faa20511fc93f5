import { isConnectionLost } from './errors.js';

interface Round<Value> {
  query: () => Promise<Value>;
  promise: Promise<Value>;
  resolve: (value: Value) => void;
  reject: (reason: unknown) => void;
}

function round<Value>(query: () => Promise<Value>): Round<Value> {
  let resolve!: (value: Value) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<Value>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { query, promise, resolve, reject };
}

interface KeyState<Value> {
  running: boolean;
  /** The read not begun yet, and the callers waiting for it. */
  next?: Round<Value>;
}

/**
 * Reads that must see every commit made before the caller asked, shared by callers asking at once:
 * one query per burst instead of one per caller, with the same promise as a query of one's own.
 *
 * A caller never takes the answer of a read that had begun when it asked (that read may have started
 * before a commit the caller already knows of). It joins the next read of its key, which begins only
 * after it asked: at the end of this turn of the event loop when none is running, so that requests
 * arriving together share it, or as soon as the running one ends. A failed read fails only its own
 * callers; the next one runs afresh. A read whose connection is lost under it runs once more on
 * another, since it answers for every caller sharing it: one terminated backend must not fail them
 * all where it would have failed only one lone read. A key is held only while a read of it is
 * waiting or running.
 */
export class FreshReads<Value> {
  readonly #keys = new Map<string, KeyState<Value>>();

  /**
   * The answer of a read of `key` begun after this call: `query`, or an equal query of another caller
   * (one key must always name the same read).
   */
  read(key: string, query: () => Promise<Value>): Promise<Value> {
    let state = this.#keys.get(key);
    if (!state) {
      state = { running: false };
      this.#keys.set(key, state);
    }
    if (!state.next) {
      state.next = round(query);
      if (!state.running) setImmediate(() => this.#begin(key, state));
    }
    return state.next.promise;
  }

  #begin(key: string, state: KeyState<Value>): void {
    const current = state.next as Round<Value>;
    state.next = undefined;
    state.running = true;
    (async () => {
      try {
        return await current.query();
      } catch (error) {
        if (!isConnectionLost(error)) throw error;
        return current.query();
      }
    })()
      .then(current.resolve, current.reject)
      .then(() => {
        state.running = false;
        if (state.next) this.#begin(key, state);
        else this.#keys.delete(key);
      });
  }
}
