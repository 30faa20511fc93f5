import type { DatabaseHandle } from '../../db/client.js';

export const eventsChannel = 'wedid_events';

/**
 * Wakes long-polling readers and the webhook worker when events commit (NOTIFY from the outbox
 * trigger, on PostgreSQL from any instance). Waiters also wake on their timeout, since an event can
 * become readable without a notification of its own (when an older transaction ends).
 */
export class EventSignal {
  #waiters = new Set<() => void>();
  #closed = false;

  static async listen(database: DatabaseHandle): Promise<{ signal: EventSignal; stop: () => Promise<void> }> {
    const signal = new EventSignal();
    const unlisten = await database.listen(eventsChannel, () => signal.notify());
    return {
      signal,
      stop: async () => {
        signal.close();
        await unlisten();
      },
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  notify(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Resolves at the next notification, after `ms`, when `abort` fires (the client has gone), or at
   * once when the service is shutting down.
   */
  wait(ms: number, abort?: AbortSignal): Promise<void> {
    if (this.#closed || ms <= 0 || abort?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        abort?.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#waiters.add(wake);
      abort?.addEventListener('abort', wake, { once: true });
    });
  }

  close(): void {
    this.#closed = true;
    this.notify();
  }
}
