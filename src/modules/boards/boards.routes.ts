import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DatabaseHandle } from '../../db/client.js';
import { publicRateLimit } from '../../http/pages/rate-limit.js';
import { boardChannel } from '../units/units.board-version.js';
import { boardCacheFor } from './boards.cache.js';
import { boardCacheLimits, setBoardCacheHeaders } from './boards.http.js';
import { boardParamsSchema, boardQuerySchema, boardSchema } from './boards.schemas.js';
import { getBoard, matchesIfNoneMatch } from './boards.service.js';

export const boardsRoutes: FastifyPluginAsyncZod<{ database: DatabaseHandle }> = async (app, { database }) => {
  const cache = boardCacheFor(app.db, boardCacheLimits(app.config));

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

  app.get('/units/:id/board', {
    config: { auth: 'public', rateLimit: publicRateLimit(app.config.BOARD_RATE_LIMIT_PER_MINUTE) },
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
      setBoardCacheHeaders(reply, built.etag);
      // No payload at all (hence the untyped reply): `send(null)` would announce `Content-Length: 4`
      // ("null") on a 304 that carries no body, and clients that trust it wait for bytes that never come.
      if (matchesIfNoneMatch(request.headers['if-none-match'], built.etag)) {
        return (reply as FastifyReply).code(304).send();
      }
      // Validated against the schema when built; sent as it was serialised then. A custom
      // serializer leaves Content-Type unset, so it is named here.
      return reply
        .type('application/json; charset=utf-8')
        .serializer(() => built.json)
        .send(built.board);
    },
  });
};
