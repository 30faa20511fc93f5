import type { Database } from '../../db/client.js';
import { cursorKeys, decodeCursor, encodeCursor } from '../../http/pagination.js';
import type { Principal } from '../auth/auth.service.js';
import type { EventSignal } from './event-signal.js';
import { type EventRow, type FeedPosition, feedStart, readFeed } from './events.repository.js';
import type { Event, ListEventsQuery } from './events.schemas.js';

/** How often a waiting reader looks again without a notification (see EventSignal). */
const recheckMs = 1_000;

export const toEvent = (row: Pick<EventRow, 'id' | 'type' | 'occurredAt' | 'unitId' | 'data'>): Event =>
  ({
    id: row.id,
    type: row.type,
    occurredAt: row.occurredAt.toISOString(),
    unitId: row.unitId,
    data: row.data,
  }) as Event;

export const encodeFeedPosition = (position: FeedPosition): string => encodeCursor([position.seq, position.position]);

function decodeFeedPosition(cursor: string | undefined): FeedPosition {
  const key = decodeCursor(cursor, cursorKeys.feedPosition, 'after');
  return key ? { seq: key[0], position: key[1] } : feedStart;
}

/**
 * GET /v1/events: the next events after the cursor within the key's scope, waiting up to `wait`
 * seconds for one when there is none yet.
 */
export async function readEvents(
  db: Database,
  signal: EventSignal,
  principal: Principal,
  query: ListEventsQuery,
  /** Aborted when the client has gone: a long poll then stops asking the database. */
  clientGone?: AbortSignal,
): Promise<{ events: Event[]; nextCursor: string }> {
  const within = [principal.unitId, query.unitId].filter((id): id is string => Boolean(id));
  const deadline = Date.now() + query.wait * 1000;
  let after = decodeFeedPosition(query.after);
  for (;;) {
    const { rows, next } = await readFeed(db, after, query.limit, { types: query.types, within });
    after = next;
    const remaining = deadline - Date.now();
    if (rows.length > 0 || remaining <= 0 || signal.closed || clientGone?.aborted) {
      return { events: rows.map(toEvent), nextCursor: encodeFeedPosition(next) };
    }
    await signal.wait(Math.min(recheckMs, remaining));
  }
}
