import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';

export const boardChannel = 'wedid_board';

/**
 * Marks the boards of these units, and of every ancestor (site and trust boards include their
 * descendants), as changed. Call it in the same transaction as the change: the board's ETag is
 * derived from these versions, and NOTIFY (delivered at commit) tells every instance to drop its
 * cached copy.
 */
export async function touchBoards(tx: Queryable, unitIds: readonly string[]): Promise<void> {
  if (unitIds.length === 0) return;
  const ids = sql.join(
    unitIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  await tx.execute(sql`
    update units set board_version = board_version + 1
    where id in (select unnest(path) from units where id in (${ids}))`);
  await tx.execute(sql`select pg_notify(${boardChannel}, '')`);
}
