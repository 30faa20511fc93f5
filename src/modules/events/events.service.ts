import type { Database } from '../../db/client.js';
import type { EventType } from '../../db/schema/enums.js';
import { cursorKeys, decodeCursor, encodeCursor } from '../../http/pagination.js';
import { HttpProblem } from '../../http/problems.js';
import type { Principal } from '../auth/auth.service.js';
import type { EventSignal } from './event-signal.js';
import { type EventRow, type FeedPosition, feedStart, isBefore, readFeed } from './events.repository.js';
import { displayDataFields, type Event, type ListEventsQuery } from './events.schemas.js';
import type { LongPolls } from './long-polls.js';

/**
 * How often a waiting reader looks again without a notification: rarely, since NOTIFY wakes it for
 * every commit with events; only an event made readable by an older transaction ending without
 * events of its own has no notification (see EventSignal).
 */
const safetyRecheckMs = 10_000;

export const toEvent = (row: Pick<EventRow, 'id' | 'type' | 'occurredAt' | 'unitId' | 'data'>): Event =>
  ({
    id: row.id,
    type: row.type,
    occurredAt: row.occurredAt.toISOString(),
    unitId: row.unitId,
    data: row.data,
  }) as Event;

/**
 * What a key of this role may see of an event. A display key sits on a ward screen: it gets only
 * what a board shows (never `externalRef`, which may be a patient identifier in the trust's own
 * system, nor the kind, channel or themes staff gave the item).
 */
function eventFor(role: Principal['role']) {
  return (row: EventRow): Event => {
    const event = toEvent(row);
    if (role !== 'display') return event;
    const fields = displayDataFields(event.type);
    const data = Object.fromEntries(Object.entries(event.data).filter(([field]) => fields.includes(field)));
    return { ...event, data } as Event;
  };
}

/** Events only staff need: a display key reads past them (its cursor moves on as for events out of scope). */
const staffOnlyTypes: readonly EventType[] = ['feedback.safeguarding', 'feedback.follow_up'];

/**
 * That an item was flagged for a safeguarding review, or how the person answered "Did this answer
 * you?", is for staff: a display key on a ward screen never needs it.
 */
const mayReadEvent = (role: Principal['role']) => (row: EventRow) =>
  role !== 'display' || !staffOnlyTypes.includes(row.type);

export const encodeFeedPosition = (position: FeedPosition): string => encodeCursor([position.seq, position.position]);

function decodeFeedPosition(cursor: string | undefined): FeedPosition {
  const key = decodeCursor(cursor, cursorKeys.feedPosition, 'after');
  return key ? { seq: key[0], position: key[1] } : feedStart;
}

const cursorExpired = () =>
  new HttpProblem(
    'cursor-expired',
    'Events after this cursor have been pruned: the feed keeps EVENT_RETENTION_DAYS days. Resync: read the current state again (the board, GET /v1/feedback, GET /v1/actions), then follow the feed again without `after`, from the oldest event kept',
  );

/**
 * GET /v1/events: the next events after the cursor within the key's scope, waiting up to `wait`
 * seconds for one when there is none yet. Every feed query runs in one of `polls`' query slots;
 * a wait is counted as an open long poll, and refused over the caps (see LongPolls).
 */
export async function readEvents(
  db: Database,
  signal: EventSignal,
  polls: LongPolls,
  principal: Principal,
  query: ListEventsQuery,
  /** Aborted when the client has gone: a long poll then stops at once and asks the database nothing more. */
  clientGone?: AbortSignal,
): Promise<{ events: Event[]; nextCursor: string }> {
  const within = [principal.unitId, query.unitId].filter((id): id is string => Boolean(id));
  const deadline = Date.now() + query.wait * 1000;
  const read = async (after: FeedPosition) => {
    const page = await polls.query(() => readFeed(db, after, query.limit, { types: query.types, within }));
    // Without a cursor the feed starts at the oldest event kept; with one, never past a pruned event.
    if (after !== feedStart && isBefore(after, page.prunedThrough)) throw cursorExpired();
    return page;
  };
  const answer = (rows: EventRow[], next: FeedPosition) => ({
    events: rows.filter(mayReadEvent(principal.role)).map(eventFor(principal.role)),
    nextCursor: encodeFeedPosition(next),
  });

  let { rows, next } = await read(decodeFeedPosition(query.after));
  if (rows.length > 0 || query.wait === 0 || signal.closed || clientGone?.aborted) return answer(rows, next);
  const close = polls.open(principal.keyId);
  try {
    for (;;) {
      await signal.wait(Math.min(safetyRecheckMs, deadline - Date.now()), clientGone);
      // At the deadline the answer is the empty page: the cursor has not moved past anything unread.
      if (Date.now() >= deadline || signal.closed || clientGone?.aborted) return answer([], next);
      ({ rows, next } = await read(next));
      if (rows.length > 0) return answer(rows, next);
    }
  } finally {
    close();
  }
}
