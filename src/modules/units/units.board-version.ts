import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';

export const boardChannel = 'wedid_board';

/**
 * Marks the boards of these units as changed. Call it in the same transaction as the change: the
 * board's ETag is derived from these versions, and NOTIFY (delivered at commit) tells every instance
 * to drop its cached copy. Only the units themselves are written: a board that includes its
 * descendants stamps itself with its subtree's versions, and writing every ancestor would make all
 * writes in a trust queue on the trust's row. The rows are locked in id order, so two transactions
 * touching the same units cannot deadlock. The outbox trigger announces `board.updated` for each
 * unit and its ancestors. `board_changed_at` (the transaction's time) is the board's "Last changed".
 */
export async function touchBoards(tx: Queryable, unitIds: readonly string[]): Promise<void> {
  if (unitIds.length === 0) return;
  const ids = sql.join(
    [...new Set(unitIds)].map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  await tx.execute(sql`
    update units set board_version = board_version + 1, board_changed_at = now()
    where id in (select id from units where id in (${ids}) order by id for no key update)`);
  await tx.execute(sql`select pg_notify(${boardChannel}, '')`);
}
