import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actionStatuses } from '../../db/schema/enums.js';
import { formBodySchema } from '../../http/pages/form-body.js';
import { html, htmlResponse, pageOrProblem, sendPage } from '../../http/pages/html.js';
import { HttpProblem } from '../../http/problems.js';
import {
  actionParamsSchema,
  cancelActionSchema,
  completeActionSchema,
  createActionSchema,
  listActionsQuerySchema,
  updateActionSchema,
} from '../actions/actions.schemas.js';
import {
  cancelAction,
  completeAction,
  createAction,
  getVisibleAction,
  listVisibleActions,
  toAction,
  updateVisibleAction,
} from '../actions/actions.service.js';
import type { Principal } from '../auth/auth.service.js';
import { getFeedbackItem } from '../feedback/feedback-read.service.js';
import type { FieldError } from '../panel/panel.shell.js';
import { listVisibleUnits } from '../units/units-list.service.js';
import { errorsOf, type FormMessages, formFields, optional, versionOf, withRecord } from './console.forms.js';
import { consolePage } from './console.render.js';
import type { ConsoleSection } from './console.session.js';
import {
  type ActionDone,
  type ActionFormName,
  type ActionView,
  type AnsweredItem,
  renderActionPage,
  renderActionsListPage,
  renderNewActionPage,
} from './console-actions.render.js';

/** Each field's message, GOV.UK style: what to do, not what went wrong. */
const fieldMessages: Record<string, string> = {
  unitId: 'Choose a unit from the list',
  title: 'Write what will be done, 200 characters at most, as plain text',
  description: 'Write the description in 2000 characters or fewer, as plain text',
  plannedFor: 'Write the date as year-month-day, for example 2027-03-31',
  owner: 'Write the team or role in 200 characters or fewer',
  coproductionLevel: 'Choose how people with lived experience took part',
  livedExperienceCount:
    'Write how many people with lived experience took part, as a whole number: at least 1 for consulting, involving or co-producing',
  outcome: 'Write what you did, 2000 characters at most, as plain text',
  reason: 'Write why it will not happen, 1000 characters at most',
  status: 'Choose a status from the list',
  cursor: 'Start again from the first page',
};

const aliases = {
  'coproduction.level': 'coproductionLevel',
  'coproduction.livedExperienceCount': 'livedExperienceCount',
};

/** Where a refusal that names no field points: the form's first field, or the action's status. */
const firstField: Record<ActionFormName | 'create', string> = {
  create: 'unitId',
  edit: 'title',
  progress: 'status',
  complete: 'outcome',
  cancel: 'reason',
};

const messagesOf = (form: ActionFormName | 'create'): FormMessages => ({
  messages: fieldMessages,
  firstField: firstField[form],
  aliases,
});

/** The fields an action is created and edited with, as the services take them (empty boxes cleared). */
const actionInputOf = (fields: Record<string, string>) => ({
  title: fields.title ?? '',
  description: optional(fields.description) ?? null,
  plannedFor: optional(fields.plannedFor)?.trim() ?? null,
  owner: optional(fields.owner) ?? null,
  coproduction: {
    level: fields.coproductionLevel || 'none',
    livedExperienceCount: Number(fields.livedExperienceCount?.trim() || '0'),
  },
});

/** Staff and admins change actions; auditors read them, as with the API. */
const mayChange = (principal: Principal) => principal.role === 'staff' || principal.role === 'admin';

const pageSize = 25;

/** What the list's filter form and paging links send: the API's filters, its cursor, and the pages before. */
const listFormSchema = listActionsQuerySchema.pick({ status: true, unitId: true, cursor: true }).extend({
  back: z
    .string()
    .max(20_000)
    .regex(/^[\w.-]*$/)
    .optional()
    .describe('The cursors of the pages before this one (after the first), joined by dots: the “Previous page” link'),
});
const listQueryDoc = z.object({
  status: z
    .string()
    .max(40)
    .optional()
    .describe(`Only actions of this status: ${actionStatuses.join(', ')} (empty: any)`),
  unitId: z.string().max(40).optional().describe('Only actions of this unit and below (empty: any)'),
  cursor: z.string().max(500).optional().describe('The page: `nextCursor` of the API’s list'),
  back: z.string().max(20_000).optional().describe('The cursors of the pages before this one, joined by dots'),
});

const doneSchema = z.object({
  done: z
    .enum(['created', 'edited', 'started', 'completed', 'cancelled'])
    .optional()
    .describe('What the person just did, for the confirmation at the top'),
});

const notAllowedPage = (csrf: string) =>
  consolePage(
    'You cannot change actions',
    html`<p>Your role can read actions but not change them. Nothing was changed.</p><p><a href="/console/actions">Back to actions</a></p>`,
    { csrf },
  );

/**
 * The console's actions pages: the list of the person's units, creating one, and the action page
 * with its forms (edit, in progress, done, cancel). Every read and change goes through the actions
 * services with the session's principal, so scope, rules and audit are those of an API key of the
 * same role and units; each form sends the action's `version` as If-Match. Registered by `consolePages`.
 */
export function consoleActionsPages(console: ConsoleSection): FastifyPluginAsyncZod {
  const { personOrSignIn, pageConfig } = console;
  return async (app) => {
    const unitsOf = async (principal: Principal) =>
      (await listVisibleUnits(app.db, principal, { limit: 200 })).items.map((unit) => ({
        id: unit.id,
        name: unit.name,
      }));

    async function actionPage(principal: Principal, id: string, csrf: string, extra: Partial<ActionView> = {}) {
      const action = toAction(await getVisibleAction(app.db, principal, id));
      const units = await unitsOf(principal);
      // The summaries only: the private words stay on each item's own (audited) page.
      const items = await Promise.all(
        action.feedbackIds.map((feedbackId) =>
          getFeedbackItem(app.db, principal, feedbackId).then(
            (item): AnsweredItem => ({
              id: item.id,
              reference: item.reference,
              youSaid: item.youSaid,
              status: item.status,
            }),
            () => undefined,
          ),
        ),
      );
      return renderActionPage({
        action,
        unitName: units.find((unit) => unit.id === action.unitId)?.name ?? '–',
        items: items.filter((item) => item !== undefined),
        mayChange: mayChange(principal),
        csrf,
        ...extra,
      });
    }

    app.get('/console/actions', {
      config: pageConfig,
      schema: {
        operationId: 'getConsoleActions',
        tags: ['console'],
        summary: 'The actions of the person’s units, newest first, filtered by status and unit, 25 a page',
        description:
          'Read through the same service as GET /v1/actions with the session’s role and unit scope. Each row: title, unit, status, planned for, how many feedback items it answers. “Next page” carries the API’s cursor; “Previous page” the cursors before it. A filter that does not check out answers the page with an error summary.',
        querystring: listQueryDoc,
        response: {
          200: htmlResponse('The list'),
          400: pageOrProblem(
            'A filter or cursor did not check out: the page again, with an error summary (a page); a parameter far too long (problem details)',
          ),
          401: htmlResponse('Not signed in: a page with the way to sign in'),
        },
      },
      handler: async (request, reply) => {
        const principal = personOrSignIn(request, reply);
        if (!principal) return reply;
        const csrf = reply.generateCsrf();
        const units = await unitsOf(principal);
        const asked = Object.fromEntries(Object.entries(request.query).filter(([, value]) => value));
        const filters = { status: asked.status, unitId: asked.unitId };
        const view = { units, filters, mayChange: mayChange(principal), csrf };
        // A cursor or trail that does not check out has no box of its own: the summary points to the first filter.
        const refuse = (errors: FieldError[]) =>
          sendPage(
            reply,
            400,
            renderActionsListPage({
              ...view,
              actions: [],
              errors: errors.map((error) =>
                error.field === 'status' || error.field === 'unitId'
                  ? error
                  : { field: 'status', message: fieldMessages.cursor! },
              ),
            }),
          );
        const parsed = listFormSchema.safeParse(asked);
        if (!parsed.success) return refuse(errorsOf(parsed.error, messagesOf('create')));
        const { back, cursor, ...filtersOnly } = parsed.data;
        let page: Awaited<ReturnType<typeof listVisibleActions>>;
        try {
          page = await listVisibleActions(app.db, principal, { ...filtersOnly, cursor, limit: pageSize });
        } catch (error) {
          if (!(error instanceof HttpProblem) || error.status !== 400) throw error;
          return refuse(errorsOf(error, messagesOf('create')));
        }
        const link = (pageCursor: string | undefined, before: string[]) => {
          const query = new URLSearchParams(
            Object.entries(filtersOnly).filter((entry): entry is [string, string] => Boolean(entry[1])),
          );
          if (pageCursor) query.set('cursor', pageCursor);
          if (before.length > 0) query.set('back', before.join('.'));
          const text = query.toString();
          return text ? `/console/actions?${text}` : '/console/actions';
        };
        const before = back ? back.split('.') : [];
        const previous = cursor ? link(before.at(-1), before.slice(0, -1)) : undefined;
        const next = page.nextCursor ? link(page.nextCursor, cursor ? [...before, cursor] : []) : undefined;
        return sendPage(
          reply,
          200,
          renderActionsListPage({ ...view, actions: page.items, errors: [], previous, next }),
        );
      },
    });

    app.get('/console/actions/new', {
      config: pageConfig,
      schema: {
        operationId: 'getConsoleNewActionPage',
        tags: ['console'],
        summary: 'The form that creates an action in one of the person’s units',
        description: 'Sent to POST /console/actions. Auditors, who may not create actions, get a 403 page.',
        response: {
          200: htmlResponse('The form'),
          401: htmlResponse('Not signed in: a page with the way to sign in'),
          403: htmlResponse('The role may not create actions'),
        },
      },
      handler: async (request, reply) => {
        const principal = personOrSignIn(request, reply);
        if (!principal) return reply;
        const csrf = reply.generateCsrf();
        if (!mayChange(principal)) return sendPage(reply, 403, notAllowedPage(csrf));
        const units = await unitsOf(principal);
        return sendPage(reply, 200, renderNewActionPage({ units, fields: {}, errors: [], csrf }));
      },
    });

    app.post('/console/actions', {
      config: pageConfig,
      schema: {
        operationId: 'createConsoleActionInUnit',
        tags: ['console'],
        summary: 'Creates an action (POST /v1/actions): unit, title, description, planned for, owner, co-production',
        description:
          'Needs the page’s form token (`_csrf`). Fields: `unitId`, `title`, `description`, `plannedFor` (YYYY-MM-DD), `owner`, `coproductionLevel`, `livedExperienceCount`; empty optional fields are left out. Answers 303 to the new action’s page; a field that does not check out answers the form again with an error summary and what was written.',
        body: formBodySchema,
        response: {
          303: z.null().describe('Created: on to the action’s page'),
          400: htmlResponse('A field did not check out: the form again, with an error summary'),
          401: htmlResponse('Not signed in: a page with the way to sign in'),
          403: htmlResponse('The form token was missing or wrong, or the role may not create actions: nothing done'),
        },
      },
      handler: async (request, reply) => {
        const principal = personOrSignIn(request, reply);
        if (!principal) return reply;
        const csrf = reply.generateCsrf();
        if (!mayChange(principal)) return sendPage(reply, 403, notAllowedPage(csrf));
        const fields = formFields(request.body);
        const refuse = async (errors: FieldError[]) =>
          sendPage(reply, 400, renderNewActionPage({ units: await unitsOf(principal), fields, errors, csrf }));
        const { description, plannedFor, owner, ...required } = actionInputOf(fields);
        const parsed = createActionSchema.safeParse({
          ...required,
          unitId: optional(fields.unitId),
          ...(description ? { description } : {}),
          ...(plannedFor ? { plannedFor } : {}),
          ...(owner ? { owner } : {}),
        });
        if (!parsed.success) return refuse(errorsOf(parsed.error, messagesOf('create')));
        try {
          const action = await createAction(app.db, principal, parsed.data);
          return reply.redirect(`/console/actions/${action.id}?done=created`, 303);
        } catch (error) {
          if (!(error instanceof HttpProblem) || error.status !== 400) throw error;
          return refuse(errorsOf(error, messagesOf('create')));
        }
      },
    });

    app.get('/console/actions/:id', {
      config: pageConfig,
      schema: {
        operationId: 'getConsoleActionPage',
        tags: ['console'],
        summary: 'One action: its fields, the feedback it answers, its history and (for staff) its forms',
        description:
          'Read through the same service as GET /v1/actions/{id}; an action outside the person’s units is not found, as for an API key of the same scope. The feedback it answers shows each item’s reference, “You said” summary and status, never its private words. Forms that make no sense for the status are left out; an auditor sees none.',
        params: actionParamsSchema,
        querystring: doneSchema,
        response: {
          200: htmlResponse('The action'),
          400: pageOrProblem('A malformed id (problem details)'),
          401: htmlResponse('Not signed in: a page with the way to sign in'),
          404: htmlResponse('No such action within the person’s units'),
        },
      },
      handler: (request, reply) =>
        withRecord(personOrSignIn, request, reply, async (principal, csrf, id) =>
          sendPage(reply, 200, await actionPage(principal, id, csrf, { done: request.query.done })),
        ),
    });

    /** One form's POST: the role, the action in scope, the fields, the service; the page again on a refusal. */
    function formRoute<T>(
      form: ActionFormName,
      done: ActionDone,
      schema: z.ZodType<T>,
      toInput: (fields: Record<string, string>) => unknown,
      save: (principal: Principal, id: string, input: T, ifMatch: string) => Promise<unknown>,
    ) {
      return (request: FastifyRequest, reply: FastifyReply) =>
        withRecord(personOrSignIn, request, reply, async (principal, csrf, id) => {
          if (!mayChange(principal)) return sendPage(reply, 403, notAllowedPage(csrf));
          const fields = formFields(request.body as Record<string, string>);
          // The action must be in scope before anything about the form is said.
          await getVisibleAction(app.db, principal, id);
          const refuse = async (status: number, errors: FieldError[]) =>
            sendPage(reply, status, await actionPage(principal, id, csrf, { refused: { form, errors, fields } }));
          const parsed = schema.safeParse(toInput(fields));
          if (!parsed.success) return refuse(400, errorsOf(parsed.error, messagesOf(form)));
          try {
            await save(principal, id, parsed.data, versionOf(fields));
          } catch (error) {
            if (!(error instanceof HttpProblem) || error.kind === 'not-found') throw error;
            if (error.kind === 'precondition-failed') {
              const yours = form === 'progress' ? { status: 'in_progress' } : fields;
              return sendPage(reply, 409, await actionPage(principal, id, csrf, { conflict: { form, fields: yours } }));
            }
            // A move the action's status refuses (complete a cancelled one) is about its status.
            if (error.kind === 'illegal-transition') return refuse(409, [{ field: 'status', message: error.message }]);
            return refuse(error.status, errorsOf(error, messagesOf(form)));
          }
          return reply.redirect(`/console/actions/${id}?done=${done}`, 303);
        });
    }

    const formSchema = (operationId: string, summary: string, description: string) => ({
      operationId,
      tags: ['console'],
      summary,
      description: `${description} Needs the page’s form token (\`_csrf\`) and the action’s \`version\` (sent to the service as If-Match); when someone else changed the action first, answers 409 with the action as it is now beside the person’s own fields. Success answers 303 back to the action page with a confirmation.`,
      params: actionParamsSchema,
      body: formBodySchema,
      response: {
        303: z.null().describe('Saved: back to the action page'),
        400: pageOrProblem(
          'A field did not check out: the page again, with an error summary (a page); a malformed id (problem details)',
        ),
        401: htmlResponse('Not signed in: a page with the way to sign in'),
        403: htmlResponse('The form token was missing or wrong, or the role may not change actions: nothing done'),
        404: htmlResponse('No such action within the person’s units'),
        409: htmlResponse('Someone else changed the action first, or its status does not allow this: nothing done'),
      },
    });

    app.post('/console/actions/:id/edit', {
      config: pageConfig,
      schema: formSchema(
        'editConsoleAction',
        'Changes a planned or in-progress action (PATCH /v1/actions/{id})',
        'Fields: `title`, `description`, `plannedFor` (YYYY-MM-DD), `owner`, `coproductionLevel`, `livedExperienceCount`; an empty optional field clears it.',
      ),
      handler: formRoute('edit', 'edited', updateActionSchema, actionInputOf, (principal, id, input, ifMatch) =>
        updateVisibleAction(app.db, principal, id, input, ifMatch),
      ),
    });

    app.post('/console/actions/:id/progress', {
      config: pageConfig,
      schema: formSchema(
        'startConsoleAction',
        'Marks a planned action as in progress (PATCH /v1/actions/{id} with status in_progress)',
        'No fields besides the token and version.',
      ),
      handler: formRoute(
        'progress',
        'started',
        updateActionSchema.pick({ status: true }),
        () => ({ status: 'in_progress' }),
        (principal, id, input, ifMatch) => updateVisibleAction(app.db, principal, id, input, ifMatch),
      ),
    });

    app.post('/console/actions/:id/complete', {
      config: pageConfig,
      schema: formSchema(
        'completeConsoleAction',
        'Marks the action done with its public “We did” outcome (POST /v1/actions/{id}/complete)',
        'Field: `outcome`, shown on the unit’s board. Every open item it answers is closed as `actioned`.',
      ),
      handler: formRoute(
        'complete',
        'completed',
        completeActionSchema,
        (fields) => ({ outcome: fields.outcome ?? '' }),
        (principal, id, input, ifMatch) => completeAction(app.db, principal, id, input, ifMatch),
      ),
    });

    app.post('/console/actions/:id/cancel', {
      config: pageConfig,
      schema: formSchema(
        'cancelConsoleAction',
        'Cancels the action, with the reason (POST /v1/actions/{id}/cancel)',
        'Field: `reason`, kept in the history of the items it answered; planned items with no other live action go back to `in_review`.',
      ),
      handler: formRoute(
        'cancel',
        'cancelled',
        cancelActionSchema,
        (fields) => ({ reason: fields.reason ?? '' }),
        (principal, id, input, ifMatch) => cancelAction(app.db, principal, id, input, ifMatch),
      ),
    });
  };
}
