import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import type { EventType } from '../../db/schema/enums.js';

/** A place in the feed: after the event at (txId, position). `(xmin, 0)` is "before every unread transaction". */
export interface FeedPosition {
  txId: string;
  position: number;
}

export const feedStart: FeedPosition = { txId: '0', position: 0 };

export interface EventRow {
  position: number;
  txId: string;
  id: string;
  type: EventType;
  unitId: string;
  subjectId: string;
  data: Record<string, unknown>;
  occurredAt: Date;
}

interface RawEventRow {
  horizon: string;
  position: string | number | null;
  tx_id: string;
  id: string;
  type: EventType;
  unit_id: string;
  subject_id: string;
  data: Record<string, unknown>;
  occurred_at: string | Date;
}

export interface EventFilters {
  types?: readonly EventType[] | undefined;
  /** Each of these units' subtrees. */
  within?: readonly string[] | undefined;
}

/**
 * Up to `limit` events after `after`, in feed order, from transactions that have all ended: an
 * event is only read once no transaction that could still add an earlier one is running. `next` is
 * where the following read starts: after the last event when the page is full, otherwise the
 * horizon (nothing unread can come before it), so filtered-out events are never scanned twice.
 */
export async function readFeed(
  db: Queryable,
  after: FeedPosition,
  limit: number,
  filters: EventFilters = {},
): Promise<{ rows: EventRow[]; next: FeedPosition }> {
  const conditions: SQL[] = [
    sql`(e.tx_id, e.position) > (${after.txId}::xid8, ${after.position}::bigint)`,
    sql`e.tx_id < (select xmin from horizon)`,
  ];
  if (filters.types) conditions.push(sql`e.type = any(${sql.param([...filters.types])}::text[])`);
  for (const unitId of filters.within ?? []) {
    conditions.push(sql`e.unit_id in (select u.id from units u where u.path @> array[${unitId}::uuid])`);
  }
  // One statement, so the horizon and the rows come from the same snapshot.
  const result = (await db.execute(sql`
    with horizon as (select pg_snapshot_xmin(pg_current_snapshot()) as xmin),
    page as (
      select e.position, e.tx_id, e.id, e.type, e.unit_id, e.subject_id, e.data, e.occurred_at
      from events e
      where ${sql.join(conditions, sql` and `)}
      order by e.tx_id, e.position
      limit ${limit}
    )
    select horizon.xmin::text as horizon, page.position, page.tx_id::text as tx_id, page.id, page.type,
      page.unit_id, page.subject_id, page.data, page.occurred_at
    from horizon left join page on true
    order by page.tx_id, page.position`)) as unknown as { rows: RawEventRow[] };
  const rows: EventRow[] = result.rows
    .filter((row) => row.position !== null)
    .map((row) => ({
      position: Number(row.position),
      txId: row.tx_id,
      id: row.id,
      type: row.type,
      unitId: row.unit_id,
      subjectId: row.subject_id,
      data: row.data,
      occurredAt: new Date(row.occurred_at),
    }));
  const last = rows.at(-1);
  if (rows.length === limit && last) return { rows, next: { txId: last.txId, position: last.position } };
  const horizon = result.rows[0]?.horizon ?? after.txId;
  // The horizon only moves forward; a cursor already past it (from a full page) stays where it is.
  return { rows, next: BigInt(horizon) > BigInt(after.txId) ? { txId: horizon, position: 0 } : after };
}
