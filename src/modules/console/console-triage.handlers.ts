import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { primaryReads } from '../../db/replica.js';
import { formBodySchema } from '../../http/pages/form-body.js';
import { htmlResponse, sendPage } from '../../http/pages/html.js';
import { type Feedback, type ListFeedbackQuery, listFeedbackQuerySchema } from '../feedback/feedback.schemas.js';
import { listFeedback } from '../feedback/feedback-read.service.js';
import type { FieldError } from '../panel/panel.shell.js';
import { listVisibleUnits } from '../units/units-list.service.js';
import { formFields } from './console.forms.js';
import type { ConsoleSection } from './console.session.js';
import { type InboxFilters, renderInboxPage } from './console-triage.render.js';

/** What the inbox form may send; the service checks the rest exactly as it does for the API. */
const inboxFormSchema = listFeedbackQuerySchema.pick({
  unitId: true,
  status: true,
  kind: true,
  theme: true,
  safeguarding: true,
  q: true,
  cursor: true,
});

const fieldMessages: Record<string, string> = {
  unitId: 'Choose a unit from the list',
  status: 'Choose a status from the list',
  kind: 'Choose a kind from the list',
  safeguarding: 'Choose a safeguarding status from the list',
  theme: 'Enter a theme code of 48 characters or fewer',
  q: 'Enter search words of 200 characters or fewer',
  cursor: 'Start again from the first page',
};

/** The filled fields, trimmed: a select left on "Any" or an empty box asks for nothing. */
const filledFields = (body: Record<string, string | string[]> | null | undefined) =>
  Object.fromEntries(
    Object.entries(formFields(body))
      .map(([name, value]) => [name, value.trim()] as const)
      .filter(([, value]) => value !== ''),
  );

const pinnedLimit = 50;
const pageLimit = 25;

/**
 * The staff console's triage pages: the inbox of the person's units. Every read goes through the
 * feedback services with the session's principal, so scope, redaction and audit are those of an API
 * key of the same role and units. Registered by `consolePages` (it owns the session), hence not a
 * `.pages.ts` entry point of its own.
 */
export function consoleTriagePages(console: ConsoleSection): FastifyPluginAsyncZod {
  const { personOrSignIn, pageConfig } = console;
  return async (app) => {
    async function inbox(request: FastifyRequest, reply: FastifyReply, fields: Record<string, string>) {
      const principal = personOrSignIn(request, reply);
      if (!principal) return reply;
      const csrf = reply.generateCsrf();
      const units = (await listVisibleUnits(app.db, principal, { limit: 200 })).items;
      const parsed = inboxFormSchema.safeParse(fields);
      const filters: InboxFilters = { ...fields };
      delete (filters as { cursor?: string }).cursor;
      const now = new Date();
      if (!parsed.success) {
        const errors: FieldError[] = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))].map(
          (field) => ({ field, message: fieldMessages[field] ?? 'Check this field' }),
        );
        const view = { filters, units, pinned: [], fresh: [], items: [], nextCursor: null, errors, now };
        return sendPage(reply, 400, renderInboxPage(view, csrf));
      }
      const query = parsed.data;
      // The inbox shows no `dataAsOf`, so an auditor's inbox too reads the primary.
      const list = (listQuery: Omit<ListFeedbackQuery, 'limit'>, limit: number) =>
        listFeedback(primaryReads(app.db), principal, { ...listQuery, limit }) as Promise<{
          items: Feedback[];
          nextCursor: string | null;
        }>;
      const none = { items: [], nextCursor: null };
      const firstPage = query.cursor === undefined;
      const within = { unitId: query.unitId };
      // Flagged items are pinned above everything on the first page, whatever else is asked for (in
      // the unit chosen); an unfiltered first page lists the new items next, then every item.
      const unfiltered = !query.status && !query.kind && !query.theme && !query.safeguarding && !query.q;
      const [pinned, fresh, all] = await Promise.all([
        firstPage ? list({ ...within, safeguarding: 'flagged' }, pinnedLimit) : none,
        firstPage && unfiltered ? list({ ...within, status: 'received' }, pinnedLimit) : none,
        list(query, pageLimit),
      ]);
      const view = {
        filters,
        units,
        pinned: pinned.items,
        fresh: fresh.items,
        items: all.items,
        nextCursor: all.nextCursor,
        errors: [],
        now,
      };
      return sendPage(reply, 200, renderInboxPage(view, csrf));
    }

    const responses = {
      200: htmlResponse('The inbox'),
      400: htmlResponse('A filter did not check out: the form again, with an error summary'),
      401: htmlResponse('Not signed in: a page with the way to sign in'),
      403: htmlResponse('The form token was missing or wrong, or the role may not search private text'),
    };

    app.get('/console/inbox', {
      config: pageConfig,
      schema: {
        operationId: 'getConsoleInbox',
        tags: ['console'],
        summary: 'The triage inbox: the items of the person’s units, flagged ones pinned, new ones next',
        description:
          'Read through the same service as GET /v1/feedback with the session’s role and unit scope. Items the safeguarding screen flagged are pinned at the top, then the items still `received`, then every item newest first (25 a page); each is marked new, flagged, acknowledgement overdue or answer overdue. Filtering and searching is a POST of the form (search words stay out of addresses).',
        response: responses,
      },
      handler: (request, reply) => inbox(request, reply, {}),
    });

    app.post('/console/inbox', {
      config: pageConfig,
      schema: {
        operationId: 'filterConsoleInbox',
        tags: ['console'],
        summary: 'The inbox filtered (unit, status, kind, theme, safeguarding), searched (`q`) or paged (`cursor`)',
        description:
          'The fields of GET /v1/feedback, sent by the inbox’s form with its token (`_csrf`); empty fields are left out. A search is audited as the API’s `q` is (that one ran, never its words). A bad field answers the form again with an error summary.',
        body: formBodySchema,
        response: responses,
      },
      handler: (request, reply) => inbox(request, reply, filledFields(request.body)),
    });
  };
}
