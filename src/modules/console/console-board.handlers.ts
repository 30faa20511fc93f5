import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { htmlResponse, pageOrProblem, sendPage } from '../../http/pages/html.js';
import { HttpProblem } from '../../http/problems.js';
import { boardCacheFor } from '../boards/boards.cache.js';
import { boardCacheLimits } from '../boards/boards.http.js';
import { getBoardPreview } from '../boards/boards.service.js';
import { listVisibleUnits } from '../units/units-list.service.js';
import { renderNotFoundPage } from './console.render.js';
import type { ConsoleSection } from './console.session.js';
import { renderBoardPickerPage, renderBoardPreviewPage } from './console-board.render.js';

const signInResponse = htmlResponse('Not signed in: a page with the way to sign in');

/**
 * The console's board previews: a unit's board as the ward sees it, drawn by the boards module,
 * and what it leaves out and why. Registered by `consolePages`.
 */
export function consoleBoardPages(console: ConsoleSection): FastifyPluginAsyncZod {
  const { personOrSignIn, pageConfig } = console;
  return async (app) => {
    const cache = boardCacheFor(app.db, boardCacheLimits(app.config));

    app.get('/console/boards', {
      config: pageConfig,
      schema: {
        operationId: 'getConsoleBoardPicker',
        tags: ['console'],
        summary: 'The units in the person’s scope, each linking to its board preview',
        description: 'Ordered by code, 200 a page (the same list as GET /v1/units for the session’s scope).',
        querystring: z.object({ cursor: z.string().max(500).optional().describe('The “Next page” link’s cursor') }),
        response: {
          200: htmlResponse('The units'),
          400: pageOrProblem('A cursor this service did not issue (problem details)'),
          401: signInResponse,
        },
      },
      handler: async (request, reply) => {
        const principal = personOrSignIn(request, reply);
        if (!principal) return reply;
        const page = await listVisibleUnits(app.db, principal, { limit: 200, cursor: request.query.cursor });
        return sendPage(reply, 200, renderBoardPickerPage(page.items, page.nextCursor, reply.generateCsrf()));
      },
    });

    app.get('/console/units/:unitId/board', {
      config: pageConfig,
      schema: {
        operationId: 'getConsoleBoardPreview',
        tags: ['console'],
        summary: 'A unit’s board as the ward sees it, and what is not on it yet and why',
        description:
          'The board’s entries, figures and panel answers, drawn by the same renderer as /boards/{unitCode} (its default form: the unit alone, 20 entries; Easy Read with `easyRead=1`, otherwise the unit’s setting). Under it, before anything is published: the unit’s items that an action or a current decision answers but whose “You said” the board leaves out, by reference with a link to each, and why (no summary, no consent to publish, flagged for safeguarding, erased). Never their words. A unit outside the person’s scope is not found.',
        params: z.object({ unitId: z.uuid().describe('The unit') }),
        querystring: z.object({
          easyRead: z
            .enum(['1', '0', 'true', 'false'])
            .optional()
            .describe('`1` for the Easy Read version, `0` for the standard one; default: the unit’s setting'),
        }),
        response: {
          200: htmlResponse('The preview'),
          400: pageOrProblem('A malformed id or option (problem details)'),
          401: signInResponse,
          404: htmlResponse('No such unit within the person’s scope'),
        },
      },
      handler: async (request, reply) => {
        const principal = personOrSignIn(request, reply);
        if (!principal) return reply;
        const csrf = reply.generateCsrf();
        try {
          const preview = await getBoardPreview(app.db, cache, principal, request.params.unitId);
          const asked = request.query.easyRead;
          const easyRead = asked === undefined ? (preview.built?.easyRead ?? false) : asked === '1' || asked === 'true';
          return sendPage(reply, 200, renderBoardPreviewPage(preview, easyRead, csrf));
        } catch (error) {
          if (!(error instanceof HttpProblem && error.kind === 'not-found')) throw error;
          return sendPage(reply, 404, renderNotFoundPage(csrf));
        }
      },
    });
  };
}
