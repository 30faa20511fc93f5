import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formBodySchema } from '../../http/pages/form-body.js';
import { htmlResponse, pageOrProblem, sendPage } from '../../http/pages/html.js';
import { publicRateLimit } from '../../http/pages/rate-limit.js';
import { HttpProblem } from '../../http/problems.js';
import { type ActionRow, findAction } from '../actions/actions.repository.js';
import type { Principal } from '../auth/auth.service.js';
import {
  createRecommendationSchema,
  listRecommendationsQuerySchema,
  recommendationStatusSchema,
} from '../recommendations/recommendations.schemas.js';
import { createRecommendation, listRecommendations } from '../recommendations/recommendations.service.js';
import { type ReviewItem, reviewFeedbackQuerySchema } from '../review/review.schemas.js';
import { getReviewItem, listReviewFeedback } from '../review/review.service.js';
import { auditSignOut, inviteRefusal, spendInvite } from '../review-invites/review-invites.service.js';
import { registerSessions, sessionPrincipalOf, signIn, signOut } from '../sessions/sessions.plugin.js';
import { listThemes } from '../themes/themes.service.js';
import { listUnits } from '../units/units.repository.js';
import { principalSees } from '../units/units.service.js';
import {
  easyReadFlag,
  filterQuery,
  listQuerySchema,
  problemFieldErrors,
  recommendationAnswersOf,
  recommendationErrors,
  reviewQueryOf,
  schemaFieldErrors,
  withCursor,
} from './panel.forms.js';
import {
  renderPanelNotFoundPage,
  renderRecommendationForm,
  renderRecommendationsPage,
  renderReviewItemPage,
  renderReviewListPage,
} from './panel.render.js';
import {
  renderFormExpiredPage,
  renderInvitePage,
  renderInviteRefusedPage,
  renderSignedOutPage,
} from './panel.render-session.js';
import type { Shell } from './panel.shell.js';

const cookieName = 'wedid_review';
const cookiePath = '/review';

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
  // The link page is open to anyone holding the link; every other page needs the session it starts.
  const linkConfig = { auth: 'public', rateLimit: pageLimit, noStore: true, secretInPath: true } as const;
  const pageConfig = { auth: 'browser', rateLimit: pageLimit, noStore: true } as const;

  /** Easy Read when asked for on this request, else as the session last chose. */
  function easyReadOf(request: FastifyRequest): boolean {
    // From the address as sent: the route's schema has already turned its own copy into a boolean.
    const asked = easyReadFlag.parse(new URL(request.url, 'http://panel').searchParams.get('easyRead') ?? undefined);
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
    config: linkConfig,
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
    config: { ...pageConfig, secretInPath: true },
    schema: {
      operationId: 'startReviewSession',
      tags: ['review-pages'],
      summary: 'Spends an invite link and signs the reviewer in (the Start button)',
      description:
        'Needs the form token of the Start page (`_csrf`). Starts a session (an HttpOnly, SameSite=Strict cookie, Secure over TLS, its id new) that sees what a `reviewer` key of the invite’s unit sees, and answers 303 to the review list. Used twice, expired or revoked: a page saying so, and no session. Audited as the session.',
      params: tokenParams,
      querystring: z.object({ easyRead: easyReadFlag }),
      body: formBodySchema,
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
      return reply.code(303).header('location', '/review').send(null);
    },
  });

  app.post('/review/sign-out', {
    config: pageConfig,
    schema: {
      operationId: 'endReviewSession',
      tags: ['review-pages'],
      summary: 'Signs the reviewer out: the session ends at once, its cookie is worth nothing after',
      description:
        'Needs the form token (`_csrf`) of the page the Sign out button is on. The session’s row is deleted and its cookie cleared; the same cookie sent again opens nothing. Audited as the session.',
      body: formBodySchema,
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

  /** The menu and page state of a signed-in page. */
  const shellOf = (request: FastifyRequest, reply: FastifyReply, current?: Shell['current']) => ({
    easyRead: easyReadOf(request),
    csrf: reply.generateCsrf(),
    current,
    here: request.url,
  });

  // The panel's first page was `/review/` once: links and bookmarks to it still arrive.
  app.get('/review/', { config: { auth: 'public' }, schema: { hide: true } }, (request, reply) =>
    reply.redirect(request.url.replace('/review/', '/review'), 308),
  );

  app.get('/review', {
    config: pageConfig,
    schema: {
      operationId: 'getReviewListPage',
      tags: ['review-pages'],
      summary: 'The review list: de-identified feedback the signed-in reviewer may read, with filters and paging',
      description:
        'The same items, in the same order, as GET /v1/review/feedback answers a `reviewer` key of the session’s unit: summaries written by staff (`youSaid`), never the person’s words, contact, equality answers or attachments. Dates as `YYYY-MM-DD`; a date that is not one answers the page with an error summary (400).',
      querystring: listQuerySchema,
      response: {
        200: htmlResponse('The list'),
        400: pageOrProblem(
          'The list, with what to put right in the filters (a page); a request no browser would send (problem details)',
        ),
        401: htmlResponse('Not signed in'),
      },
    },
    handler: async (request, reply) => {
      const principal = reviewerOr401(request, reply);
      if (!principal) return reply;
      const { filters, query, errors } = reviewQueryOf(request.query);
      const themes = (await listThemes(app.db)).items;
      const page =
        errors.length > 0 ? { items: [], nextCursor: null } : await listReviewFeedback(app.db, principal, query);
      const base = filterQuery(filters);
      return sendPage(
        reply,
        errors.length > 0 ? 400 : 200,
        renderReviewListPage({
          shell: shellOf(request, reply, 'feedback'),
          items: page.items,
          themes,
          filters,
          errors,
          nextUrl: page.nextCursor ? `/review?${withCursor(base, page.nextCursor)}` : undefined,
          firstUrl: request.query.cursor ? `/review/${base.size > 0 ? `?${base}` : ''}` : undefined,
        }),
      );
    },
  });

  app.get('/review/feedback/:id', {
    config: pageConfig,
    schema: {
      operationId: 'getReviewItemPage',
      tags: ['review-pages'],
      summary: 'One item of the review list, de-identified, with its answer and a way to recommend',
      description:
        'As GET /v1/review/feedback/{id} answers a `reviewer` key of the session’s unit; an item it may not read, and one that does not exist, answer the same 404 page.',
      params: z.object({ id: z.string().max(100) }),
      querystring: z.object({ easyRead: easyReadFlag }),
      response: {
        200: htmlResponse('The item'),
        401: htmlResponse('Not signed in'),
        404: htmlResponse('No such item for this reviewer'),
      },
    },
    handler: async (request, reply) => {
      const principal = reviewerOr401(request, reply);
      if (!principal) return reply;
      const shell = shellOf(request, reply, 'feedback');
      const item = await readableItem(principal, request.params.id);
      if (!item) return sendPage(reply, 404, renderPanelNotFoundPage(shell));
      const themes = (await listThemes(app.db)).items;
      return sendPage(reply, 200, renderReviewItemPage({ shell, item, themes }));
    },
  });

  /** An item the reviewer may read, or undefined (hidden and unknown alike). */
  async function readableItem(principal: Principal, id: string): Promise<ReviewItem | undefined> {
    if (!z.uuid().safeParse(id).success) return undefined;
    try {
      return await getReviewItem(app.db, principal, id);
    } catch (error) {
      if (error instanceof HttpProblem && error.kind === 'not-found') return undefined;
      throw error;
    }
  }

  /** What the form offers: the units of the reviewer's scope, recent items (the chosen ones first) and the themes. */
  async function formChoices(principal: Principal, chosenIds: readonly string[]) {
    const [units, page, themes] = await Promise.all([
      listUnits(app.db, { within: principal.unitId ? [principal.unitId] : [] }, 200),
      listReviewFeedback(app.db, principal, reviewFeedbackQuerySchema.parse({ limit: 50 })),
      listThemes(app.db),
    ]);
    const listed = new Set(page.items.map((item) => item.id));
    const extra = await Promise.all(chosenIds.filter((id) => !listed.has(id)).map((id) => readableItem(principal, id)));
    const items = [...extra.filter((item): item is ReviewItem => Boolean(item)), ...page.items];
    return { units: units.slice(0, 200), items, themes: themes.items };
  }

  app.get('/review/recommendations/new', {
    config: pageConfig,
    schema: {
      operationId: 'getRecommendationFormPage',
      tags: ['review-pages'],
      summary: 'The recommendation form: a title, the recommendation, and the feedback and themes it draws on',
      description:
        'Offers the units of the session’s scope, the newest items of its review list (with `feedbackId`, that item chosen) and the theme vocabulary. No JavaScript; the form carries its CSRF token.',
      querystring: z.object({ easyRead: easyReadFlag, feedbackId: z.string().max(100).optional() }),
      response: { 200: htmlResponse('The form'), 401: htmlResponse('Not signed in') },
    },
    handler: async (request, reply) => {
      const principal = reviewerOr401(request, reply);
      if (!principal) return reply;
      const chosen = request.query.feedbackId ? [request.query.feedbackId] : [];
      const choices = await formChoices(principal, chosen);
      const feedbackIds = chosen.filter((id) => choices.items.some((item) => item.id === id));
      return sendPage(
        reply,
        200,
        renderRecommendationForm({
          shell: shellOf(request, reply, 'new'),
          ...choices,
          answers: {
            feedbackIds,
            themes: [],
            unitId: choices.items.find((item) => item.id === feedbackIds[0])?.unitId,
          },
          errors: [],
        }),
      );
    },
  });

  app.post('/review/recommendations', {
    config: pageConfig,
    schema: {
      operationId: 'sendRecommendationForm',
      tags: ['review-pages'],
      summary: 'Sends the recommendation form: on to "my recommendations", or the form again with its errors',
      description:
        'Needs the form token (`_csrf`). Creates the recommendation through the same rules as POST /v1/recommendations with a `reviewer` key of the session’s unit (the feedback must be items the reviewer may read), audited as the session.',
      querystring: z.object({ easyRead: easyReadFlag }),
      body: formBodySchema,
      response: {
        303: z.null().describe('Sent: see `Location`, my recommendations'),
        400: pageOrProblem(
          'The form again, with the errors summarised at the top (a page); a request no browser would send (problem details)',
        ),
        401: htmlResponse('Not signed in'),
        403: htmlResponse('The form token was missing or wrong: nothing done'),
      },
    },
    handler: async (request, reply) => {
      const principal = reviewerOr401(request, reply);
      if (!principal) return reply;
      const answers = recommendationAnswersOf(request.body ?? {});
      let errors = recommendationErrors(answers);
      // The form's fields are the API's: its schema refuses what the service would store badly.
      const parsed = createRecommendationSchema.safeParse({
        unitId: answers.unitId,
        title: answers.title,
        text: answers.text,
        feedbackIds: [...answers.feedbackIds],
        themes: [...answers.themes],
      });
      if (errors.length === 0 && !parsed.success) errors = schemaFieldErrors(parsed.error);
      if (errors.length === 0 && parsed.success) {
        try {
          await createRecommendation(app.db, principal, parsed.data);
          return reply.code(303).header('location', '/review/recommendations?sent=1').send(null);
        } catch (error) {
          if (!(error instanceof HttpProblem && error.kind === 'validation-error')) throw error;
          errors = problemFieldErrors(error);
        }
      }
      const choices = await formChoices(principal, answers.feedbackIds);
      return sendPage(
        reply,
        400,
        renderRecommendationForm({ shell: shellOf(request, reply, 'new'), ...choices, answers, errors }),
      );
    },
  });

  app.get('/review/recommendations', {
    config: pageConfig,
    schema: {
      operationId: 'getRecommendationsPage',
      tags: ['review-pages'],
      summary:
        '"My recommendations": the panel’s recommendations for the reviewer’s units, each with its status and the ward’s response',
      description:
        'As GET /v1/recommendations?mine=true answers for this signed-in reviewer (`all=1`: as it answers a `reviewer` key of the session’s unit), with the actions that answer each (what was done) or the reason it was declined.',
      querystring: z.object({
        easyRead: easyReadFlag,
        status: z.string().max(20).optional(),
        cursor: z.string().max(500).optional(),
        sent: z.string().max(1).optional(),
        all: z.string().max(1).optional().describe('`1`: the whole panel’s recommendations, not only mine'),
      }),
      response: { 200: htmlResponse('The list'), 401: htmlResponse('Not signed in') },
    },
    handler: async (request, reply) => {
      const principal = reviewerOr401(request, reply);
      if (!principal) return reply;
      const status = recommendationStatusSchema.safeParse(request.query.status || undefined).data;
      const whole = request.query.all === '1';
      const mine = whole ? 'false' : 'true';
      const parsed = listRecommendationsQuerySchema.safeParse({
        limit: 20,
        cursor: request.query.cursor,
        status,
        mine,
      });
      const page = await listRecommendations(
        app.db,
        principal,
        parsed.success ? parsed.data : listRecommendationsQuerySchema.parse({ limit: 20, status, mine }),
      );
      const recommendations = await Promise.all(
        page.items.map(async (recommendation) => ({
          recommendation,
          actions: (await Promise.all(recommendation.actionIds.map((id) => findAction(app.db, id)))).filter(
            (action): action is ActionRow => Boolean(action && principalSees(principal, { path: action.unitPath })),
          ),
        })),
      );
      const base = new URLSearchParams({ ...(status ? { status } : {}), ...(whole ? { all: '1' } : {}) });
      return sendPage(
        reply,
        200,
        renderRecommendationsPage({
          shell: shellOf(request, reply, 'recommendations'),
          recommendations,
          themes: (await listThemes(app.db)).items,
          status,
          whole,
          sent: request.query.sent === '1',
          nextUrl: page.nextCursor ? `/review/recommendations?${withCursor(base, page.nextCursor)}` : undefined,
          firstUrl: request.query.cursor ? `/review/recommendations${base.size > 0 ? `?${base}` : ''}` : undefined,
        }),
      );
    },
  });
};
