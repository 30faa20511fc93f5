import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { htmlResponse, sendPage } from '../../http/pages/html.js';
import { publicRateLimit } from '../../http/pages/rate-limit.js';
import type { Principal } from '../auth/auth.service.js';
import { auditSignOut, inviteRefusal, spendInvite } from '../review-invites/review-invites.service.js';
import { registerSessions, sessionPrincipalOf, signIn, signOut } from '../sessions/sessions.plugin.js';
import {
  renderFormExpiredPage,
  renderInvitePage,
  renderInviteRefusedPage,
  renderSignedOutPage,
} from './panel.render-session.js';

const cookieName = 'wedid_review';
const cookiePath = '/review';

const easyReadFlag = z
  .enum(['1', '0', 'true', 'false'])
  .transform((value) => value === '1' || value === 'true')
  .optional()
  .catch(undefined)
  .describe('`1` for Easy Read pages, `0` for the standard ones; the choice is kept for the session');

/** A form's fields as the browser sends them (urlencoded); the token is checked before the handler. */
const formBody = z.record(z.string(), z.union([z.string(), z.array(z.string())])).nullish();

const tokenParams = z.object({ token: z.string().max(200).describe('The one-time token of the invite link') });

const refusedStatus = { unknown: 404, used: 410, expired: 410, revoked: 410 } as const;

/**
 * The lived-experience panel in a browser, under /review/: an invite link signs a reviewer in (a
 * session, no password), then the pages read and recommend through the same services as a
 * `reviewer` key of the invite's unit. No JavaScript; every form carries a CSRF token; every answer
 * `Cache-Control: no-store` and never framed.
 */
export const panelPages: FastifyPluginAsyncZod = async (app) => {
  app.removeContentTypeParser('application/json');
  await app.register(formbody, { bodyLimit: 65_536 });
  await registerSessions(app, {
    cookieName,
    path: cookiePath,
    onCsrfRefused: (request, reply) => sendPage(reply, 403, renderFormExpiredPage(easyReadOf(request))),
  });
  const pageLimit = publicRateLimit(app.config.BOARD_RATE_LIMIT_PER_MINUTE);
  const pageConfig = { auth: 'public', rateLimit: pageLimit, noStore: true } as const;

  /** Easy Read when asked for on this request, else as the session last chose. */
  function easyReadOf(request: FastifyRequest): boolean {
    const asked = easyReadFlag.parse((request.query as Record<string, unknown> | undefined)?.easyRead);
    if (asked !== undefined && request.session) {
      if (request.session.principal && request.session.easyRead !== asked) request.session.easyRead = asked;
      return asked;
    }
    return asked ?? request.session?.easyRead ?? false;
  }

  /** The signed-in reviewer, or the "not signed in" page already sent. */
  function reviewerOr401(request: FastifyRequest, reply: FastifyReply): Principal | undefined {
    const principal = sessionPrincipalOf(request);
    if (principal?.role === 'reviewer') return principal;
    sendPage(reply, 401, renderSignedOutPage(easyReadOf(request)));
    return undefined;
  }

  app.get('/review/invite/:token', {
    config: pageConfig,
    schema: {
      operationId: 'getReviewInvitePage',
      tags: ['review-pages'],
      summary: 'The page an invite link opens: a Start button (opening the link spends nothing)',
      description:
        'Link previews and mail scanners only GET, so the link is spent by pressing Start (a POST with the page’s form token), not by opening it. A used, expired, revoked or unknown link answers a page saying so.',
      params: tokenParams,
      querystring: z.object({ easyRead: easyReadFlag }),
      response: {
        200: htmlResponse('The Start page'),
        404: htmlResponse('No such link'),
        410: htmlResponse('The link was used, has expired or was revoked'),
      },
    },
    handler: async (request, reply) => {
      const easyRead = easyReadOf(request);
      const refused = await inviteRefusal(app.db, request.params.token);
      if (refused) return sendPage(reply, refusedStatus[refused], renderInviteRefusedPage(refused, easyRead));
      const path = `/review/invite/${encodeURIComponent(request.params.token)}`;
      return sendPage(reply, 200, renderInvitePage({ path, csrf: reply.generateCsrf(), easyRead }));
    },
  });

  app.post('/review/invite/:token', {
    config: pageConfig,
    schema: {
      operationId: 'startReviewSession',
      tags: ['review-pages'],
      summary: 'Spends an invite link and signs the reviewer in (the Start button)',
      description:
        'Needs the form token of the Start page (`_csrf`). Starts a session (an HttpOnly, SameSite=Strict cookie, Secure over TLS, its id new) that sees what a `reviewer` key of the invite’s unit sees, and answers 303 to the review list. Used twice, expired or revoked: a page saying so, and no session. Audited as the session.',
      params: tokenParams,
      querystring: z.object({ easyRead: easyReadFlag }),
      body: formBody,
      response: {
        303: z.null().describe('Signed in: see `Location`, the review list'),
        403: htmlResponse('The form token was missing or wrong: nothing done'),
        404: htmlResponse('No such link'),
        410: htmlResponse('The link was used, has expired or was revoked'),
      },
    },
    handler: async (request, reply) => {
      const easyRead = easyReadOf(request);
      const spent = await spendInvite(app.db, request.params.token);
      if ('refused' in spent) {
        return sendPage(reply, refusedStatus[spent.refused], renderInviteRefusedPage(spent.refused, easyRead));
      }
      request.session.easyRead = easyRead;
      await signIn(request, spent.principal);
      return reply.code(303).header('location', '/review/').send(null);
    },
  });

  app.post('/review/sign-out', {
    config: pageConfig,
    schema: {
      operationId: 'endReviewSession',
      tags: ['review-pages'],
      summary: 'Signs the reviewer out: the session ends at once, its cookie is worth nothing after',
      body: formBody,
      response: {
        200: htmlResponse('Signed out'),
        403: htmlResponse('The form token was missing or wrong: nothing done'),
      },
    },
    handler: async (request, reply) => {
      const easyRead = easyReadOf(request);
      const principal = sessionPrincipalOf(request);
      await signOut(request, reply, cookieName, cookiePath);
      if (principal) await auditSignOut(app.db, principal);
      return sendPage(reply, 200, renderSignedOutPage(easyRead, true));
    },
  });

  app.get('/review/', {
    config: pageConfig,
    schema: {
      operationId: 'getReviewListPage',
      tags: ['review-pages'],
      summary: 'The review list: de-identified feedback the signed-in reviewer may read',
      querystring: z.object({ easyRead: easyReadFlag }),
      response: { 200: htmlResponse('The list'), 401: htmlResponse('Not signed in') },
    },
    handler: async (request, reply) => {
      const principal = reviewerOr401(request, reply);
      if (!principal) return reply;
      return sendPage(reply, 200, renderSignedOutPage(easyReadOf(request)));
    },
  });
};
