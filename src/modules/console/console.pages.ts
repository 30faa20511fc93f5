import formbody from '@fastify/formbody';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formBodySchema } from '../../http/pages/form-body.js';
import { htmlResponse, sendPage } from '../../http/pages/html.js';
import { publicRateLimit } from '../../http/pages/rate-limit.js';
import { personInviteStatus } from '../people/people.repository.js';
import { registerSessions, sessionPrincipalOf, signIn, signOut } from '../sessions/sessions.plugin.js';
import { findUnit } from '../units/units.repository.js';
import { callbackPath, IdentityProvider } from './console.oidc.js';
import {
  renderFormExpiredPage,
  renderInvitePage,
  renderLandingPage,
  renderProviderDownPage,
  renderRefusedPage,
  renderSignedInPage,
  renderSignedOutPage,
  renderSignInPage,
} from './console.render.js';
import { personOrSignIn } from './console.session.js';
import { consoleActionsPages } from './console-actions.handlers.js';
import { consoleBoardPages } from './console-board.handlers.js';
import { consoleItemPages } from './console-item.handlers.js';
import { consoleRepliesPages } from './console-replies.handlers.js';
import {
  auditConsoleSignOut,
  beginSignIn,
  completeSignIn,
  signInAttemptSeconds,
  spendInvite,
} from './console-sign-in.service.js';
import { consoleTriagePages } from './console-triage.handlers.js';

const cookieName = 'wedid_console';
const cookiePath = '/console';
/**
 * The sign-in attempt's cookie comes back on the provider's redirect, a navigation from another
 * site, so it is SameSite=Lax (Strict would not be sent); it lives 10 minutes and goes to the
 * callback only. The session cookie itself is SameSite=Strict.
 */
const attemptCookie = 'wedid_console_sign_in';

const refusedStatus = { no_access: 403, no_attempt: 400, provider_error: 400 } as const;

/**
 * The staff console's front door, under /console/: sign-in with the trust's OpenID Connect provider
 * (authorization code flow, PKCE, state and nonce, ID token validated by openid-client), the
 * landing page, sign-out. A session's principal has the role and unit scope of the person row it
 * matched and goes through the same services as an API key of that role and scope. No JavaScript;
 * every form carries a CSRF token; every answer `Cache-Control: no-store` and never framed.
 */
export const consolePages: FastifyPluginAsyncZod<{ sections?: readonly FastifyPluginAsyncZod[] }> = async (
  app,
  options,
) => {
  const provider = IdentityProvider.fromConfig(app.config);
  app.removeContentTypeParser('application/json');
  await app.register(formbody, { bodyLimit: 65_536 });
  await registerSessions(app, {
    cookieName,
    path: cookiePath,
    onCsrfRefused: (_request, reply) => sendPage(reply, 403, renderFormExpiredPage()),
  });
  // Further console pages (reports…) are registered here so they share the session and its headers.
  for (const section of options.sections ?? []) await app.register(section);
  const pageLimit = publicRateLimit(app.config.BOARD_RATE_LIMIT_PER_MINUTE);
  // The ways in (sign-in, the provider's callback, an invite's Start page) are for people not yet
  // signed in; everything else needs the session (and its forms their token).
  const entryConfig = { auth: 'public', rateLimit: pageLimit, noStore: true } as const;
  const pageConfig = { auth: 'browser', rateLimit: pageLimit, noStore: true } as const;

  app.get('/console/sign-in', {
    config: entryConfig,
    schema: {
      operationId: 'getConsoleSignInPage',
      tags: ['console'],
      summary: 'The sign-in page of the staff console: “Sign in with your organisation”',
      description:
        'Without OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET the page says sign-in is not set up. A person already signed in is sent on to /console.',
      response: { 200: htmlResponse('The sign-in page'), 303: z.null().describe('Already signed in: on to /console') },
    },
    handler: async (request, reply) => {
      if (sessionPrincipalOf(request)?.session?.kind === 'person') {
        return reply.redirect('/console', 303);
      }
      return sendPage(reply, 200, renderSignInPage(provider !== undefined));
    },
  });

  app.get('/console/auth/start', {
    config: entryConfig,
    schema: {
      operationId: 'startConsoleSignIn',
      tags: ['console'],
      summary: 'Sends the browser to the identity provider (authorization code flow with PKCE)',
      description:
        'Keeps the state, nonce and PKCE verifier server-side for 10 minutes under a random id the browser holds in an HttpOnly cookie (SameSite=Lax, path /console/auth), and answers 303 to the provider. 404 when no provider is configured; 503 when it cannot be reached.',
      response: {
        303: z.null().describe('On to the identity provider'),
        404: htmlResponse('No identity provider is configured'),
        503: htmlResponse('The identity provider cannot be reached'),
      },
    },
    handler: async (request, reply) => {
      if (!provider) return sendPage(reply, 404, renderSignInPage(false));
      const started = await beginSignIn(app.db, provider);
      if ('unreachable' in started) {
        request.log.warn({ err: started.unreachable }, 'the identity provider could not be reached to start a sign-in');
        return sendPage(reply, 503, renderProviderDownPage());
      }
      reply.setCookie(attemptCookie, started.attemptId, {
        path: '/console/auth',
        httpOnly: true,
        sameSite: 'lax',
        secure: 'auto',
        maxAge: signInAttemptSeconds,
      });
      return reply.redirect(started.url, 303);
    },
  });

  app.get(callbackPath, {
    config: entryConfig,
    schema: {
      operationId: 'completeConsoleSignIn',
      tags: ['console'],
      summary: 'Where the identity provider sends the browser back (PUBLIC_BASE_URL/console/auth/callback)',
      description:
        'Spends the sign-in attempt (once only), redeems the code with the PKCE verifier, and has openid-client validate the ID token (signature, issuer, audience, expiry, nonce) and the state. The person then matches person rows by their verified `email` claim and their `groups` claim; the most privileged match wins. A match starts a session (HttpOnly, SameSite=Strict, a new id) and answers a page that goes on to /console; no match answers 403 “You do not have access yet” and starts nothing. Signing in is audited.',
      querystring: z.looseObject({}).describe('As the provider sends it: `code`, `state`, `iss`, or `error`'),
      response: {
        200: htmlResponse('Signed in: the page goes on to /console'),
        400: htmlResponse('The sign-in expired, was used already, or did not check out'),
        403: htmlResponse('Signed in by the provider, but no person row gives access'),
        404: htmlResponse('No identity provider is configured'),
      },
    },
    handler: async (request, reply) => {
      if (!provider) return sendPage(reply, 404, renderSignInPage(false));
      const attemptId = request.cookies[attemptCookie];
      reply.clearCookie(attemptCookie, { path: '/console/auth' });
      const query = request.url.split('?')[1] ?? '';
      const result = await completeSignIn(app.db, provider, attemptId, query);
      if ('refused' in result) {
        if (result.cause) {
          // openid-client's message names the check that failed (state, nonce, code…), never the person.
          request.log.warn({ reason: (result.cause as Error).message }, 'a console sign-in did not check out');
        }
        return sendPage(reply, refusedStatus[result.refused.reason], renderRefusedPage(result.refused));
      }
      await signIn(request, result.principal);
      return sendPage(reply, 200, renderSignedInPage());
    },
  });

  app.post('/console/sign-out', {
    config: pageConfig,
    schema: {
      operationId: 'signOutOfConsole',
      tags: ['console'],
      summary: 'Signs the person out: the session ends at once, its cookie is worth nothing after',
      description: 'Needs the form token of the page (`_csrf`). Audited.',
      body: formBodySchema,
      response: {
        200: htmlResponse('Signed out'),
        403: htmlResponse('The form token was missing or wrong: nothing done'),
      },
    },
    handler: async (request, reply) => {
      const principal = sessionPrincipalOf(request);
      await signOut(request, reply, cookieName, cookiePath);
      if (principal) await auditConsoleSignOut(app.db, principal);
      return sendPage(reply, 200, renderSignedOutPage());
    },
  });

  // The console's first page was `/console/` once: links and bookmarks to it still arrive.
  app.get('/console/', { config: { auth: 'public' }, schema: { hide: true } }, (request, reply) =>
    reply.redirect(request.url.replace('/console/', '/console'), 308),
  );

  app.get('/console', {
    config: pageConfig,
    schema: {
      operationId: 'getConsoleLandingPage',
      tags: ['console'],
      summary: 'The console’s first page: who is signed in, their role and units, sign-out',
      description:
        'For a person signed in through the identity provider; anyone else gets a 401 page leading to /console/sign-in. The sign-out button is a form with its CSRF token.',
      response: {
        200: htmlResponse('The landing page'),
        401: htmlResponse('Not signed in: a page with the way to sign in'),
      },
    },
    handler: async (request, reply) => {
      const principal = personOrSignIn(request, reply);
      if (!principal) return reply;
      const unit = principal.unitId ? await findUnit(app.db, principal.unitId) : undefined;
      const scope = unit ? `${unit.name} and everything in it` : 'The whole trust';
      return sendPage(reply, 200, renderLandingPage(principal, scope, reply.generateCsrf()));
    },
  });

  await app.register(consoleTriagePages({ personOrSignIn, pageConfig }));
  await app.register(consoleItemPages({ personOrSignIn, pageConfig }));
  await app.register(consoleActionsPages({ personOrSignIn, pageConfig }));
  await app.register(consoleRepliesPages({ personOrSignIn, pageConfig }));
  await app.register(consoleBoardPages({ personOrSignIn, pageConfig }));

  const tokenParams = z.object({ token: z.string().max(200).describe('The one-time token of the invite link') });
  const inviteStatusCode = { used: 410, expired: 410, unknown: 404 } as const;

  app.get('/console/invite/:token', {
    config: entryConfig,
    schema: {
      operationId: 'getConsoleInvitePage',
      tags: ['console'],
      summary: 'The page a person’s invite link opens: a Start button (opening the link spends nothing)',
      description:
        'Link previews and mail scanners only GET, so the link is spent by pressing Start (a POST with the page’s form token). A used, expired or unknown link answers a page saying so.',
      params: tokenParams,
      response: {
        200: htmlResponse('The Start page'),
        404: htmlResponse('No such link'),
        410: htmlResponse('The link was used or has expired'),
      },
    },
    handler: async (request, reply) => {
      const status = (await personInviteStatus(app.db, request.params.token)) ?? 'unknown';
      if (status !== 'open') return sendPage(reply, inviteStatusCode[status], renderInvitePage({ refused: status }));
      const path = `/console/invite/${encodeURIComponent(request.params.token)}`;
      return sendPage(reply, 200, renderInvitePage({ path, csrf: reply.generateCsrf() }));
    },
  });

  app.post('/console/invite/:token', {
    config: pageConfig,
    schema: {
      operationId: 'startConsoleSessionByInvite',
      tags: ['console'],
      summary: 'Spends a person’s invite link and signs them in (the Start button)',
      description:
        'Needs the form token of the Start page (`_csrf`). Starts a session (HttpOnly, SameSite=Strict, a new id) with the person row’s role and unit scope, and answers 303 to /console. Used twice or expired: a page saying so, and no session. Audited.',
      params: tokenParams,
      body: formBodySchema,
      response: {
        303: z.null().describe('Signed in: on to /console'),
        403: htmlResponse('The form token was missing or wrong: nothing done'),
        404: htmlResponse('No such link'),
        410: htmlResponse('The link was used or has expired'),
      },
    },
    handler: async (request, reply) => {
      const principal = await spendInvite(app.db, request.params.token);
      if (!principal) {
        const status = (await personInviteStatus(app.db, request.params.token)) ?? 'unknown';
        const refused = status === 'open' ? 'used' : status;
        return sendPage(reply, inviteStatusCode[refused], renderInvitePage({ refused }));
      }
      await signIn(request, principal);
      return reply.redirect('/console', 303);
    },
  });
};
