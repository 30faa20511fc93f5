import { asc, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { replies } from '../../src/db/schema/index.js';

/** Polls until `probe` answers something truthy (the worker runs on its own time); fails after `ms`. */
export async function until<T>(probe: () => Promise<T | undefined | null | false>, what: string, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An item's replies in the order they were written. */
export const repliesOf = (db: Database, feedbackId: string) =>
  db.select().from(replies).where(eq(replies.feedbackId, feedbackId)).orderBy(asc(replies.transitionId));

/** Waits until every reply of the item has left `queued` (or the one given has), and returns them. */
export const settled = (db: Database, feedbackId: string, count = 1) =>
  until(async () => {
    const rows = await repliesOf(db, feedbackId);
    return rows.length >= count && rows.every((row) => row.status !== 'queued') && rows;
  }, `the replies of ${feedbackId} to settle`);
