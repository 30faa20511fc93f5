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

export const isBefore = (a: FeedPosition, b: FeedPosition): boolean =>
  a.seq < b.seq || (a.seq === b.seq && a.position < b.position);

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
  pruned_seq: string | number;
  pruned_position: string | number;
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
 * commit can be numbered below it), so filtered-out events are never scanned twice. `prunedThrough`
 * is how far the feed had been pruned when the rows were read: a cursor before it has missed events.
 */
export async function readFeed(
  db: Queryable,
  after: FeedPosition,
  limit: number,
  filters: EventFilters = {},
): Promise<{ rows: EventRow[]; next: FeedPosition; prunedThrough: FeedPosition }> {
  const conditions: SQL[] = [
    // The first bound lets the commit index do the work; the row comparison alone cannot use it.
    sql`c.seq >= ${after.seq}::bigint`,
    sql`(c.seq, e.position) > (${after.seq}::bigint, ${after.position}::bigint)`,
  ];
  if (filters.types) conditions.push(sql`e.type = any(${sql.param([...filters.types])}::text[])`);
  for (const unitId of filters.within ?? []) {
    conditions.push(sql`e.unit_id in (select u.id from units u where u.path @> array[${unitId}::uuid])`);
  }
  // One statement, so the last commit, the pruned range and the rows come from the same snapshot.
  const raw = await rowsOf<RawEventRow>(
    db,
    sql`
    with horizon as (
      select (select coalesce(max(seq), 0) from event_commits) as seq, r.pruned_through_seq,
        r.pruned_through_position
      from event_retention r
    ),
    page as (
      select c.seq, e.position, e.id, e.type, e.unit_id, e.data, e.occurred_at
      from event_commits c
      join events e on e.tx_id = c.tx_id
      where ${sql.join(conditions, sql` and `)}
      order by c.seq, e.position
      limit ${limit}
    )
    select horizon.seq as horizon, horizon.pruned_through_seq as pruned_seq,
      horizon.pruned_through_position as pruned_position, page.*
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
  const prunedThrough = { seq: Number(raw[0]?.pruned_seq ?? 0), position: Number(raw[0]?.pruned_position ?? 0) };
  const last = rows.at(-1);
  if (rows.length === limit && last) {
    return { rows, next: { seq: last.seq, position: last.position }, prunedThrough };
  }
  const horizon = Number(raw[0]?.horizon ?? 0);
  // Every commit up to the horizon has been read to its end (including the one a full page stopped
  // in); a cursor past the horizon (from a full page) stays where it is.
  return { rows, next: horizon >= after.seq ? { seq: horizon, position: endOfCommit } : after, prunedThrough };
}

/**
 * One prune batch, in the caller's transaction: moves the pruned position over at most `limit`
 * events after it, in feed order, each older than `before` and none past `keepAfter` (what webhook
 * subscriptions have still to deliver), then deletes them (their deliveries go by cascade) and the
 * commits wholly behind them. Returns the events pruned; 0 also when another instance holds the
 * batch lock (SKIP LOCKED: it is pruning, so this one leaves it to it). Only ordered key ranges of
 * old rows are touched, which no writer locks, so writers never wait on a batch.
 */
export async function pruneFeedBatch(
  tx: Queryable,
  before: Date,
  keepAfter: FeedPosition | undefined,
  limit: number,
): Promise<number> {
  const [from] = await rowsOf<{ seq: string | number; position: string | number }>(
    tx,
    sql`select pruned_through_seq as seq, pruned_through_position as position
      from event_retention for update skip locked`,
  );
  if (!from) return 0;
  const start = { seq: Number(from.seq), position: Number(from.position) };
  const held = keepAfter
    ? sql`(c.seq, e.position) <= (${keepAfter.seq}::bigint, ${keepAfter.position}::bigint)`
    : sql`true`;
  // The longest run from the start that may go: the feed is pruned from its start only, so one
  // event that must stay (too young, or still to be delivered) keeps every event after it too.
  const [through] = await rowsOf<{ seq: string | number; position: string | number; count: string | number }>(
    tx,
    sql`
    with next as (
      select c.seq, e.position, e.occurred_at < ${before.toISOString()} and ${held} as prunable
      from event_commits c
      join events e on e.tx_id = c.tx_id
      where c.seq >= ${start.seq}::bigint
        and (c.seq, e.position) > (${start.seq}::bigint, ${start.position}::bigint)
      order by c.seq, e.position
      limit ${limit}
    ), run as (
      select seq, position, bool_and(prunable) over (order by seq, position) as prunable,
        row_number() over (order by seq, position) as count
      from next
    )
    select seq, position, count from run where prunable order by seq desc, position desc limit 1`,
  );
  if (!through) return 0;
  const end = { seq: Number(through.seq), position: Number(through.position) };
  // Moved first: the trigger on events refuses deleting past it.
  await tx.execute(sql`
    update event_retention
    set pruned_through_seq = ${end.seq}, pruned_through_position = ${end.position}, pruned_at = now()`);
  await tx.execute(sql`
    delete from events e using event_commits c
    where e.tx_id = c.tx_id and c.seq between ${start.seq}::bigint and ${end.seq}::bigint
      and (c.seq, e.position) > (${start.seq}::bigint, ${start.position}::bigint)
      and (c.seq, e.position) <= (${end.seq}::bigint, ${end.position}::bigint)`);
  // The commit pruned into stays, so the feed's horizon never moves back.
  await tx.execute(sql`delete from event_commits where seq >= ${start.seq}::bigint and seq < ${end.seq}::bigint`);
  return Number(through.count);
}
