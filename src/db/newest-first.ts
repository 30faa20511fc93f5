import { type AnyColumn, and, eq, lt, or, type SQL } from 'drizzle-orm';

/**
 * The keyset condition of a newest-first list ordered by (createdAt desc, id desc): the rows after
 * the cursor's row. Undefined on the first page.
 */
export function olderThan(
  createdAt: AnyColumn,
  id: AnyColumn,
  after: { createdAt: string; id: string } | undefined,
): SQL | undefined {
  if (!after) return undefined;
  const at = new Date(after.createdAt);
  return or(lt(createdAt, at), and(eq(createdAt, at), lt(id, after.id)));
}
