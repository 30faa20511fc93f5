import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem } from '../../http/problems.js';
import { type BoardCache, boardCacheFor, stringBytes } from './board-cache.js';
import { boardCacheLimits, boardRateLimit, setBoardCacheHeaders } from './board-http.js';
import { renderBoardContent, renderBoardPage, renderNotFoundPage } from './board-page.js';
import { type BuiltBoard, getBoard, matchesIfNoneMatch } from './boards.service.js';
import { renderDocument, type SafeHtml, sendPage } from './html.js';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1')
  .optional()
  .catch(undefined);

// A page is for people: a bad option is ignored rather than answered with a JSON error.
const pageQuerySchema = z.object({
  easyRead: flag,
  includeDescendants: flag,
  limit: z.coerce.number().int().min(1).max(100).optional().catch(undefined),
  refresh: z.coerce.number().int().min(5).max(3600).optional().catch(undefined),
});

const unitCodePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * The board's figures and entries as HTML, cached next to the built board they came from (same
 * stamp: its ETag). Only the content and the form key it; `refresh` and the page address are
 * rendered around it per request, so they cannot multiply what is kept.
 */
function contentFor(cache: BoardCache, built: BuiltBoard, easyRead: boolean, variant: string): SafeHtml {
  const key = `page|${built.board.unit.id}|${variant}|${easyRead ? 1 : 0}`;
  let content = cache.get<SafeHtml>(key, built.etag);
  if (!content) {
    content = renderBoardContent(built.board, easyRead);
    cache.set(key, built.etag, content, stringBytes(content.value));
  }
  return content;
}

const etagOf = (page: string) => `"${createHash('sha256').update(page).digest('base64url').slice(0, 32)}"`;

/** The HTML pages: GET /boards/{unitCode}. */
export const boardsPages: FastifyPluginAsyncZod = async (app) => {
  const cache = boardCacheFor(app.database, boardCacheLimits(app.config));

  app.get('/boards/:unitCode', {
    config: { rateLimit: boardRateLimit(app.config.BOARD_RATE_LIMIT_PER_MINUTE) },
    schema: {
      hide: true,
      params: z.object({ unitCode: z.string() }),
      querystring: pageQuerySchema,
      headers: z.object({ 'if-none-match': z.string().optional() }),
    },
    handler: async (request, reply) => {
      const { unitCode } = request.params;
      const { easyRead, includeDescendants = false, limit = 20, refresh = 30 } = request.query;
      const notFoundPage = () =>
        sendPage(reply, 404, renderNotFoundPage('There is no board at this address, or it is switched off.'));
      if (!unitCodePattern.test(unitCode)) return notFoundPage();
      let built: BuiltBoard;
      try {
        built = await getBoard(app.db, cache, { code: unitCode }, { limit, includeDescendants, type: undefined });
      } catch (error) {
        if (error instanceof HttpProblem && error.kind === 'not-found') return notFoundPage();
        throw error;
      }
      const asEasyRead = easyRead ?? built.easyRead;
      const boardQuery = new URLSearchParams({ limit: String(limit), includeDescendants: String(includeDescendants) });
      const switchQuery = new URLSearchParams({
        easyRead: asEasyRead ? '0' : '1',
        ...(includeDescendants ? { includeDescendants: 'true' } : {}),
        ...(limit !== 20 ? { limit: String(limit) } : {}),
        ...(refresh !== 30 ? { refresh: String(refresh) } : {}),
      });
      const document = renderBoardPage(built.board, contentFor(cache, built, asEasyRead, String(boardQuery)), {
        easyRead: asEasyRead,
        boardUrl: `/v1/units/${built.board.unit.id}/board?${boardQuery}`,
        etag: built.etag,
        refreshSeconds: refresh,
        switchUrl: `/boards/${encodeURIComponent(built.board.unit.code)}?${switchQuery}`,
      });
      const rendered = renderDocument(document);
      const etag = etagOf(rendered);
      setBoardCacheHeaders(reply, etag);
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return sendPage(reply, 200, document, rendered);
    },
  });
};
