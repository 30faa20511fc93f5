import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formBodySchema } from '../../http/pages/form-body.js';
import { html, htmlResponse, pageOrProblem, sendPage } from '../../http/pages/html.js';
import { HttpProblem } from '../../http/problems.js';
import type { Principal } from '../auth/auth.service.js';
import { slipQuerySchema } from '../replies/replies.schemas.js';
import { feedbackIdOfReply, getReplySlip, listWaitingReplies, recordHandedOver } from '../replies/replies.service.js';
import { slipPage } from '../replies/replies.slip.js';
import { renderNotAllowedPage, renderNotFoundPage } from './console.render.js';
import type { ConsoleSection } from './console.session.js';
import { renderNoSlipPage, renderWaitingRepliesPage } from './console-replies.render.js';

const pageSize = 25;

const replyIdParams = z.object({ replyId: z.uuid().describe('The reply') });

const listQuerySchema = z.object({
  cursor: z.string().max(500).optional().describe('`nextCursor` of the previous page (the “Next page” link)'),
  handedOver: z.literal('1').optional().describe('`1` after a hand-over was recorded: the page says so'),
});

/**
 * The console's replies pages: every reply waiting for staff across the person's units, its
 * printable slip, and the form that records it was handed over. Read and written through the
 * replies service with the session's principal, so scope and audit are those of an API key of the
 * same role and units. Registered by `consolePages`.
 */
export function consoleRepliesPages(console: ConsoleSection): FastifyPluginAsyncZod {
  const { personOrSignIn, pageConfig } = console;
  return async (app) => {
    /** Runs the page's work; a reply outside the person's units is not found, a role that may not is refused. */
    async function withPerson(
      request: FastifyRequest,
      reply: FastifyReply,
      work: (principal: Principal, csrf: string) => Promise<unknown>,
    ): Promise<void> {
      const principal = personOrSignIn(request, reply);
      if (!principal) return;
      const csrf = reply.generateCsrf();
      try {
        await work(principal, csrf);
      } catch (error) {
        if (!(error instanceof HttpProblem)) throw error;
        if (error.kind === 'not-found') sendPage(reply, 404, renderNotFoundPage(csrf));
        else if (error.kind === 'forbidden') sendPage(reply, 403, renderNotAllowedPage(error.message, csrf));
        else throw error;
      }
    }

    async function listPage(
      principal: Principal,
      csrf: string,
      query: z.output<typeof listQuerySchema>,
      errors: { field: string; message: string }[] = [],
    ) {
      const page = await listWaitingReplies(app.db, principal, { limit: pageSize, cursor: query.cursor });
      return renderWaitingRepliesPage({
        replies: page.items,
        nextCursor: page.nextCursor,
        csrf,
        handedOver: query.handedOver === '1',
        errors,
      });
    }

    const signInResponse = htmlResponse('Not signed in: a page with the way to sign in');
    const roleResponse = htmlResponse('The role may not hand over replies (auditors): a page saying so');

    app.get('/console/replies', {
      config: pageConfig,
      schema: {
        operationId: 'getConsoleWaitingReplies',
        tags: ['console'],
        summary: 'The replies waiting for staff across the person’s units, oldest first',
        description:
          'In-person replies still to be handed over, and emails, texts and letters that failed or have no provider (`failed`, `undeliverable`), of the items in the person’s unit subtree that are not erased; 25 a page, the longest waiting first. Each row: the item’s reference and unit, what is needed (the slip to print, large print or Easy Read, the support to arrange first), since when, a link to the slip and a “Handed over” form. No one’s words. For staff and admins.',
        querystring: listQuerySchema,
        response: {
          200: htmlResponse('The list'),
          400: pageOrProblem('A cursor this service did not issue (problem details)'),
          401: signInResponse,
          403: roleResponse,
        },
      },
      handler: (request, reply) =>
        withPerson(request, reply, async (principal, csrf) =>
          sendPage(reply, 200, await listPage(principal, csrf, request.query)),
        ),
    });

    app.get('/console/replies/:replyId/slip', {
      config: pageConfig,
      schema: {
        operationId: 'getConsoleReplySlip',
        tags: ['console'],
        summary: 'The printable reply slip, for a reply of an item in the person’s units',
        description:
          'The same slip as GET /v1/feedback/{id}/replies/{replyId}/slip, from the same service: A5 by default (A4 with `paper=a4`; large print prints on A4), Easy Read when the person asked for it, never the person’s own words or contact. The staff box, left off the print, says what support to arrange, to use the browser’s Print, and links back to the list where the hand-over is recorded. A reply outside the person’s units is not found; a cancelled one (the item was erased) answers 409.',
        params: replyIdParams,
        querystring: slipQuerySchema,
        response: {
          200: htmlResponse('The reply slip'),
          400: pageOrProblem('A malformed id or paper size (problem details)'),
          401: signInResponse,
          403: roleResponse,
          404: htmlResponse('No such reply within the person’s units'),
          409: htmlResponse('The reply was cancelled: the item was erased'),
        },
      },
      handler: (request, reply) =>
        withPerson(request, reply, async (principal, csrf) => {
          const { replyId } = request.params;
          const feedbackId = await feedbackIdOfReply(app.db, principal, replyId);
          try {
            const slip = await getReplySlip(app.db, principal, feedbackId, replyId, app.config.PUBLIC_BASE_URL);
            const recordIt = html`<p>When you have given it to the person, record it with “Handed over” on <a href="/console/replies">the replies waiting for staff</a>, or on <a href="/console/feedback/${feedbackId}">the item’s page</a>.</p>`;
            return sendPage(reply, 200, slipPage(slip, request.query.paper, recordIt));
          } catch (error) {
            if (!(error instanceof HttpProblem) || error.kind !== 'illegal-transition') throw error;
            return sendPage(reply, 409, renderNoSlipPage(error.message, csrf));
          }
        }),
    });

    app.post('/console/replies/:replyId/handed-over', {
      config: pageConfig,
      schema: {
        operationId: 'handOverConsoleWaitingReply',
        tags: ['console'],
        summary:
          'Records, from the waiting list, that staff gave the reply slip to the person (POST /v1/feedback/{id}/replies/{replyId}/handed-over)',
        description:
          'Needs the page’s form token (`_csrf`). The same service and audit event (`handed_over`, as the signed-in person) as the API; the item then counts as acknowledged. Answers 303 to /console/replies?handedOver=1, which says it was recorded. A reply that was already handed over, sent or cancelled answers the list again with an error summary (409).',
        params: replyIdParams,
        body: formBodySchema,
        response: {
          303: z.null().describe('Recorded: back to the list, which says so'),
          400: pageOrProblem('A malformed id (problem details)'),
          401: signInResponse,
          403: htmlResponse('The form token was missing or wrong, or the role may not hand over replies: nothing done'),
          404: htmlResponse('No such reply within the person’s units'),
          409: htmlResponse('The reply cannot be handed over now: the list again, with an error summary'),
        },
      },
      handler: (request, reply) =>
        withPerson(request, reply, async (principal, csrf) => {
          const { replyId } = request.params;
          const feedbackId = await feedbackIdOfReply(app.db, principal, replyId);
          try {
            await recordHandedOver(app.db, principal, feedbackId, replyId);
          } catch (error) {
            if (!(error instanceof HttpProblem) || error.kind !== 'illegal-transition') throw error;
            const page = await listPage(principal, csrf, {}, [{ field: 'waiting', message: error.message }]);
            return sendPage(reply, 409, page);
          }
          return reply.redirect('/console/replies?handedOver=1', 303);
        }),
    });
  };
}
