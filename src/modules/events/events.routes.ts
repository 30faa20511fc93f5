import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponse } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import type { EventSignal } from './event-signal.js';
import { eventPageSchema, listEventsQuerySchema } from './events.schemas.js';
import { readEvents } from './events.service.js';
import { LongPolls } from './long-polls.js';

export const eventsRoutes: FastifyPluginAsyncZod<{ signal: EventSignal }> = async (app, { signal }) => {
  const polls = new LongPolls({
    perKey: app.config.EVENTS_LONG_POLLS_PER_KEY,
    total: app.config.EVENTS_LONG_POLLS_TOTAL,
    queries: app.config.EVENTS_FEED_QUERIES,
  });
  app.get('/events', {
    config: { auth: { roles: ['staff', 'display'] }, noStore: true },
    schema: {
      operationId: 'listEvents',
      tags: ['events'],
      summary: 'The change feed: events after a cursor, oldest first, with long polling',
      description:
        'Events are written in the same transaction as the change they describe, and appear in the feed once that transaction and every earlier one have ended, so a poller that always passes the last `nextCursor` as `after` sees every event in its scope exactly once, in order. Scoped to the key’s unit subtree. With `wait`, an empty answer is held until an event arrives or the time is up; a key may hold `EVENTS_LONG_POLLS_PER_KEY` such waits open at once (more answer 429) and the service `EVENTS_LONG_POLLS_TOTAL` (more answer 503), both with `Retry-After`: poll again after it with the same cursor. Payloads carry ids and public-safe fields only. Events are kept `EVENT_RETENTION_DAYS` days (default 400): a cursor from before the oldest event kept answers 410 `cursor-expired`, never a page with a gap.',
      querystring: listEventsQuerySchema,
      response: {
        200: eventPageSchema,
        410: problemResponse(
          'The cursor points before the oldest event kept (`cursor-expired`): events after it were pruned (`EVENT_RETENTION_DAYS`); read the current state again and follow the feed again without `after`',
        ),
      },
    },
    handler: async (request, reply) => {
      const clientGone = new AbortController();
      reply.raw.once('close', () => clientGone.abort());
      return readEvents(app.db, signal, polls, principalOf(request), request.query, clientGone.signal);
    },
  });
};
