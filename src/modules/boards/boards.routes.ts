import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DatabaseHandle } from '../../db/client.js';
import type { LimitStore } from '../../http/limit-store.js';
import { boardChannel } from '../units/units.board-version.js';
import { boardCacheFor } from './boards.cache.js';
import { boardCacheLimits, boardLimit, sendBoard } from './boards.http.js';
import { type BoardQuery, boardParamsSchema, boardQuerySchema, boardSchema } from './boards.schemas.js';
import { getBoard, getBuiltBoard } from './boards.service.js';

/** Lower-case UUIDs of versions 1–8, as units are given: each also passes the route's `z.uuid()`. */
const plainUnitId = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const queriesKept = 100;
const longestQueryKept = 256;

/**
 * The options of the query strings screens send, validated once by the route's own schema and kept
 * (a screen sends the same query every poll). Bounded, since anyone may send any query: past
 * `queriesKept` it starts again, and a long or invalid query is never kept.
 */
class QueryOptions {
  readonly #kept = new Map<string, BoardQuery>();

  of(request: FastifyRequest): BoardQuery | undefined {
    const at = request.url.indexOf('?');
    const raw = at === -1 ? '' : request.url.slice(at + 1);
    const kept = this.#kept.get(raw);
    if (kept) return kept;
    const parsed = boardQuerySchema.safeParse(request.query);
    if (!parsed.success) return undefined;
    if (raw.length <= longestQueryKept) {
      if (this.#kept.size >= queriesKept) this.#kept.clear();
      this.#kept.set(raw, parsed.data);
    }
    return parsed.data;
  }
}

export const boardsRoutes: FastifyPluginAsyncZod<{ database: DatabaseHandle; limits: LimitStore }> = async (
  app,
  { database, limits },
) => {
  const cache = boardCacheFor(app.db, boardCacheLimits(app.config));
  const queries = new QueryOptions();

  // Every instance drops its built boards when any instance commits a board change. The version
  // check in getBoard keeps answers right even if a notification is lost; this frees memory early.
  try {
    const unlisten = await database.listen(boardChannel, () => cache.clear());
    app.addHook('onClose', async () => {
      await unlisten();
    });
  } catch (error) {
    app.log.warn({ err: error }, 'board LISTEN failed; boards stay correct through the version check');
  }

  /**
   * Screens poll a board that rarely changes: the request for a board already built from the stamp
   * the database has now is answered here, before validation, auth and the handler, with the bytes
   * and headers the handler would send. The stamp is read by a check begun after the request came
   * (shared with the requests arriving with it), so a change committed through any instance is seen.
   * Anything else (a key sent, an id or query the schemas must judge, a board to build, no board)
   * goes on to the route as usual.
   */
  const limit = boardLimit(limits, 'board', app.config);
  const answerBuilt = async (request: FastifyRequest, reply: FastifyReply) => {
    // The limit counts every request once, those answered here too; one hook for both.
    await limit(request);
    if (request.headers.authorization !== undefined) return;
    const { id } = request.params as { id: string };
    if (!plainUnitId.test(id)) return;
    const options = queries.of(request);
    if (!options) return;
    const built = await getBuiltBoard(app.db, cache, { id }, options);
    if (built) return sendBoard(request, reply, built);
  };

  app.get('/units/:id/board', {
    config: { auth: 'public' },
    onRequest: answerBuilt,
    schema: {
      operationId: 'getBoard',
      tags: ['boards'],
      summary: 'The public “You said – We did” board of a unit',
      description:
        'Public; a `display` key may be sent. Answers `If-None-Match` with 304. A unit whose board is off answers 404, like an unknown one. Entries: completed and live actions (with any consented summaries they answer), and decisions not to act whose item has a consented summary.',
      params: boardParamsSchema,
      querystring: boardQuerySchema,
      headers: z.object({ 'if-none-match': z.string().optional() }),
      response: {
        200: boardSchema,
        304: z.null().describe('Not modified: the board is the one named in `If-None-Match`'),
      },
    },
    handler: async (request, reply) => {
      const built = await getBoard(app.db, cache, { id: request.params.id }, request.query);
      return sendBoard(request, reply as FastifyReply, built);
    },
  });
};
