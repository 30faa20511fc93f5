import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { LimitStore } from '../../http/limit-store.js';
import { type Document, htmlResponse, renderDocument, SafeHtml, sendPage } from '../../http/pages/html.js';
import { HttpProblem } from '../../http/problems.js';
import { type BoardCache, type BoardCacheLimits, boardCacheFor, stringBytes } from './boards.cache.js';
import { boardCacheLimits, boardLimit, setBoardCacheHeaders } from './boards.http.js';
import { renderBoardContent, renderBoardPage, renderNotFoundPage, tellUsAddress } from './boards.render.js';
import { renderScreenContent, renderScreenPage, type ScreenContent } from './boards.screen.js';
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
  mode: z
    .enum(['screen'])
    .optional()
    .catch(undefined)
    .describe(
      '`screen` for a ward television or a tablet by the door: one screen that never scrolls, with as many whole entries as fit, turning over every `rotate` seconds; landscape or portrait',
    ),
  // Set once on a screen nobody watches being set up: a mistake is refused, not silently replaced.
  rotate: z.coerce
    .number()
    .int()
    .min(2)
    .max(3600)
    .optional()
    .describe(
      'With `mode=screen`: seconds each screen of entries stays up (2–3600, default 20). Anything else answers 400.',
    ),
});

const unitCodePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * The part of a page that grows with the board (its figures and entries), cached next to the built
 * board it came from (same stamp: its ETag). Only the content and the form key it; `refresh`,
 * `rotate` and the page address are rendered around it per request, so they cannot multiply what is
 * kept.
 */
function contentFor<Content extends SafeHtml | ScreenContent>(
  cache: BoardCache,
  built: BuiltBoard,
  form: string,
  render: () => Content,
): Content {
  const key = `page|${built.board.unit.id}|${form}`;
  let content = cache.get<Content>(key, built.etag);
  if (!content) {
    content = render();
    const parts: SafeHtml[] = content instanceof SafeHtml ? [content] : [content.side, content.entries];
    cache.set(
      key,
      built.etag,
      content,
      parts.reduce((bytes, part) => bytes + stringBytes(part.value), 0),
    );
  }
  return content;
}

/** What a request asks of a page, its options resolved. */
interface PageView {
  asEasyRead: boolean;
  boardQuery: URLSearchParams;
  form: string;
  includeDescendants: boolean;
  limit: number;
  refresh: number;
  mode: 'screen' | undefined;
  rotate: number;
}

/** A page as sent: the document (for its headers), its text and the ETag of that text. */
interface FinishedPage {
  document: Document;
  rendered: string;
  etag: string;
}

/**
 * Finished pages, keyed by everything a page is made from (the content's ETag, the form, the
 * intervals), so a screen polling its page costs no rendering and no hashing until its board
 * changes. Kept apart from the board cache, whose entries must not multiply by `refresh`, and
 * bounded by a small share of its bounds, since anyone may ask for any variant.
 */
function finishedPages(limits: BoardCacheLimits): LRUCache<string, FinishedPage> {
  const maxBytes = Math.max(1, Math.floor(limits.maxBytes / 8));
  return new LRUCache<string, FinishedPage>({
    max: Math.max(1, Math.min(64, Math.floor(limits.maxEntries / 8))),
    maxSize: maxBytes,
    maxEntrySize: maxBytes,
    sizeCalculation: (page, key) => stringBytes(page.rendered) + stringBytes(key),
  });
}

const etagOf = (page: string) => `"${createHash('sha256').update(page).digest('base64url').slice(0, 32)}"`;

/** The HTML pages: GET /boards/{unitCode}. */
export const boardsPages: FastifyPluginAsyncZod<{ limits: LimitStore }> = async (app, { limits: counts }) => {
  const limits = boardCacheLimits(app.config);
  const cache = boardCacheFor(app.db, limits);
  const pages = finishedPages(limits);

  /** The page of a built board in one form: only the entries and figures are kept apart (contentFor). */
  const renderPage = (built: BuiltBoard, view: PageView): Document => {
    const { asEasyRead, boardQuery, form, includeDescendants, limit, refresh, mode, rotate } = view;
    const shared = {
      easyRead: asEasyRead,
      boardUrl: `/v1/units/${built.board.unit.id}/board?${boardQuery}`,
      etag: built.etag,
      refreshSeconds: refresh,
      tellUsUrl: tellUsAddress(app.config.PUBLIC_BASE_URL, built.board.unit.code),
    };
    let document: Document;
    if (mode === 'screen') {
      const content = contentFor(cache, built, form, () => renderScreenContent(built.board, asEasyRead));
      document = renderScreenPage(built.board, content, { ...shared, rotateSeconds: rotate });
    } else {
      const switchQuery = new URLSearchParams({
        easyRead: asEasyRead ? '0' : '1',
        ...(includeDescendants ? { includeDescendants: 'true' } : {}),
        ...(limit !== 20 ? { limit: String(limit) } : {}),
        ...(refresh !== 30 ? { refresh: String(refresh) } : {}),
      });
      const content = contentFor(cache, built, form, () => renderBoardContent(built.board, asEasyRead));
      document = renderBoardPage(built.board, content, {
        ...shared,
        switchUrl: `/boards/${encodeURIComponent(built.board.unit.code)}?${switchQuery}`,
      });
    }
    return document;
  };

  app.get('/boards/:unitCode', {
    config: { auth: 'public' },
    onRequest: boardLimit(counts, 'board-page', app.config),
    schema: {
      operationId: 'getBoardPage',
      tags: ['boards'],
      summary: 'The “You said – We did” board of a unit as a web page, for ward screens and phones',
      description:
        'The same entries as GET /v1/units/{id}/board, addressed by unit code. The page refreshes itself from that JSON board. `mode=screen` is the wall screen: a television or tablet shows it in a kiosk browser, and it turns its entries over by itself. Answers `If-None-Match` with 304 (`ETag`, `Cache-Control: public`). An unknown unit, or one whose board is off, answers a 404 page. Options a page cannot use are ignored rather than refused, except a bad `rotate` (400).',
      params: z.object({ unitCode: z.string().describe('The unit’s code, e.g. `WARD-7`') }),
      querystring: pageQuerySchema,
      headers: z.object({ 'if-none-match': z.string().optional() }),
      response: {
        200: htmlResponse('The board page, or with `mode=screen` the wall screen'),
        304: z.null().describe('Not modified: the page is the one named in `If-None-Match`'),
        404: htmlResponse('A page saying there is no board at this address'),
      },
    },
    handler: async (request, reply) => {
      const { unitCode } = request.params;
      const { easyRead, includeDescendants = false, limit = 20, refresh = 30, mode, rotate = 20 } = request.query;
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
      const form = `${mode ?? 'page'}|${asEasyRead ? 1 : 0}|${boardQuery}`;
      const pageKey = `${built.etag}|${built.board.unit.id}|${form}|${refresh}|${mode === 'screen' ? rotate : ''}`;
      let page = pages.get(pageKey);
      if (!page) {
        const document = renderPage(built, {
          asEasyRead,
          boardQuery,
          form,
          includeDescendants,
          limit,
          refresh,
          mode,
          rotate,
        });
        const rendered = renderDocument(document);
        page = { document, rendered, etag: etagOf(rendered) };
        pages.set(pageKey, page);
      }
      setBoardCacheHeaders(reply, page.etag);
      if (matchesIfNoneMatch(request.headers['if-none-match'], page.etag)) {
        return (reply as FastifyReply).code(304).send();
      }
      return sendPage(reply, 200, page.document, page.rendered);
    },
  });
};
