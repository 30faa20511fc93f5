import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { htmlResponse, renderDocument, type SafeHtml, sendPage } from '../../http/pages/html.js';
import { publicRateLimit } from '../../http/pages/rate-limit.js';
import { HttpProblem } from '../../http/problems.js';
import { type BoardCache, boardCacheFor, stringBytes } from './boards.cache.js';
import { boardCacheLimits, setBoardCacheHeaders } from './boards.http.js';
import { renderBoardContent, renderBoardPage, renderNotFoundPage, tellUsAddress } from './boards.render.js';
import { type BuiltBoard, getBoard, matchesIfNoneMatch } from './boards.service.js';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1')
  .optional()
  .catch(undefined);

// A page is for people: a bad option is ignored rather than answered with a JSON error.
const pageQuerySchema = z.object({
  easyRead: flag.describe(
    '`true` or `1` for the Easy Read version (pictograms, plain words); default: the unit’s setting',
  ),
  includeDescendants: flag.describe('`true` for a site or trust board: entries of every unit below it as well'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .catch(undefined)
    .describe('Entries to show (1–100, default 20)'),
  refresh: z.coerce
    .number()
    .int()
    .min(5)
    .max(3600)
    .optional()
    .catch(undefined)
    .describe('Seconds between the page’s own refreshes of the board (5–3600, default 30)'),
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
  const cache = boardCacheFor(app.db, boardCacheLimits(app.config));

  app.get('/boards/:unitCode', {
    config: { auth: 'public', rateLimit: publicRateLimit(app.config.BOARD_RATE_LIMIT_PER_MINUTE) },
    schema: {
      operationId: 'getBoardPage',
      tags: ['boards'],
      summary: 'The “You said – We did” board of a unit as a web page, for ward screens and phones',
      description:
        'The same entries as GET /v1/units/{id}/board, addressed by unit code. The page refreshes itself from that JSON board. Answers `If-None-Match` with 304 (`ETag`, `Cache-Control: public`). An unknown unit, or one whose board is off, answers a 404 page. Options a page cannot use are ignored rather than refused.',
      params: z.object({ unitCode: z.string().describe('The unit’s code, e.g. `WARD-7`') }),
      querystring: pageQuerySchema,
      headers: z.object({ 'if-none-match': z.string().optional() }),
      response: {
        200: htmlResponse('The board page'),
        304: z.null().describe('Not modified: the page is the one named in `If-None-Match`'),
        404: htmlResponse('A page saying there is no board at this address'),
      },
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
        tellUsUrl: tellUsAddress(app.config.PUBLIC_BASE_URL, built.board.unit.code),
      });
      const rendered = renderDocument(document);
      const etag = etagOf(rendered);
      setBoardCacheHeaders(reply, etag);
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return (reply as FastifyReply).code(304).send();
      return sendPage(reply, 200, document, rendered);
    },
  });
};
