import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import type { EventType } from '../../db/schema/enums.js';

/** A place in the feed: after the event at `position` of the commit numbered `seq`. */
export interface FeedPosition {
  seq: number;
  position: number;
}

export const feedStart: FeedPosition = { seq: 0, position: 0 };

/** Past every event of commit `seq`: positions are bigint identities, far below this. */
const endOfCommit = Number.MAX_SAFE_INTEGER;

export interface EventRow {
  seq: number;
  position: number;
  id: string;
  type: EventType;
  unitId: string;
  data: Record<string, unknown>;
  occurredAt: Date;
}

interface RawEventRow {
  horizon: string | number;
  seq: string | number | null;
  position: string | number;
  id: string;
  type: EventType;
  unit_id: string;
  data: Record<string, unknown>;
  occurred_at: string | Date;
}

export interface EventFilters {
  types?: readonly EventType[] | undefined;
  /** Each of these units' subtrees. */
  within?: readonly string[] | undefined;
}

/**
 * Up to `limit` events after `after`, in commit order. `next` is where the following read starts:
 * after the last event when the page is full, otherwise after the last commit seen (no later
 * commit can be numbered below it), so filtered-out events are never scanned twice.
 */
export async function readFeed(
  db: Queryable,
  after: FeedPosition,
  limit: number,
  filters: EventFilters = {},
): Promise<{ rows: EventRow[]; next: FeedPosition }> {
  const conditions: SQL[] = [
    // The first bound lets the commit index do the work; the row comparison alone cannot use it.
    sql`c.seq >= ${after.seq}::bigint`,
    sql`(c.seq, e.position) > (${after.seq}::bigint, ${after.position}::bigint)`,
  ];
  if (filters.types) conditions.push(sql`e.type = any(${sql.param([...filters.types])}::text[])`);
  for (const unitId of filters.within ?? []) {
    conditions.push(sql`e.unit_id in (select u.id from units u where u.path @> array[${unitId}::uuid])`);
  }
  // One statement, so the last commit and the rows come from the same snapshot.
  const raw = await rowsOf<RawEventRow>(
    db,
    sql`
    with horizon as (select coalesce(max(seq), 0) as seq from event_commits),
    page as (
      select c.seq, e.position, e.id, e.type, e.unit_id, e.data, e.occurred_at
      from event_commits c
      join events e on e.tx_id = c.tx_id
      where ${sql.join(conditions, sql` and `)}
      order by c.seq, e.position
      limit ${limit}
    )
    select horizon.seq as horizon, page.*
    from horizon left join page on true
    order by page.seq, page.position`,
  );
  const rows: EventRow[] = raw
    .filter((row) => row.seq !== null)
    .map((row) => ({
      seq: Number(row.seq),
      position: Number(row.position),
      id: row.id,
      type: row.type,
      unitId: row.unit_id,
      data: row.data,
      occurredAt: new Date(row.occurred_at),
    }));
  const last = rows.at(-1);
  if (rows.length === limit && last) return { rows, next: { seq: last.seq, position: last.position } };
  const horizon = Number(raw[0]?.horizon ?? 0);
  // Every commit up to the horizon has been read to its end (including the one a full page stopped
  // in); a cursor past the horizon (from a full page) stays where it is.
  return { rows, next: horizon >= after.seq ? { seq: horizon, position: endOfCommit } : after };
}
