import type { Database, Transaction } from './client.js';
import { isRetryable } from './errors.js';

/** Attempts in all before a deadlock or serialization failure reaches the caller. */
const maxAttempts = 3;

/**
 * The one way a write transaction is opened: `work` runs again (up to three attempts in all) when
 * PostgreSQL picks it as a deadlock or serialization-failure victim, so `work` must keep its effects
 * inside the transaction.
 */
export async function inTransaction<T>(db: Database, work: (tx: Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (error) {
      if (attempt >= maxAttempts || !isRetryable(error)) throw error;
    }
  }
}

/**
 * Reads in one read-only repeatable-read snapshot: several reads that agree with each other (a
 * commit landing between them cannot show in one and not the other), or one read that needs
 * `set local` settings.
 */
export function inSnapshot<T>(db: Database, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(work, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}
