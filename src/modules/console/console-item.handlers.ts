import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formBodySchema } from '../../http/pages/form-body.js';
import { htmlResponse, pageOrProblem, sendPage } from '../../http/pages/html.js';
import { HttpProblem } from '../../http/problems.js';
import { createActionSchema } from '../actions/actions.schemas.js';
import { createAction, listVisibleActions } from '../actions/actions.service.js';
import { linkFeedback } from '../actions/actions-links.service.js';
import { attachmentParamsSchema } from '../attachments/attachments.schemas.js';
import { downloadAttachment, listAttachments } from '../attachments/attachments.service.js';
import type { Principal } from '../auth/auth.service.js';
import {
  createDecisionSchema,
  type Feedback,
  feedbackParamsSchema,
  reopenSchema,
  setSafeguardingSchema,
  updateFeedbackSchema,
} from '../feedback/feedback.schemas.js';
import { eraseFeedback, updateFeedback } from '../feedback/feedback-edit.service.js';
import { recordDecision, reopenFeedback } from '../feedback/feedback-lifecycle.service.js';
import { getFeedbackItem, readFeedbackItem } from '../feedback/feedback-read.service.js';
import { setSafeguarding } from '../feedback/feedback-safeguarding.service.js';
import type { FieldError } from '../panel/panel.shell.js';
import { replyParamsSchema } from '../replies/replies.schemas.js';
import { listReplies, recordHandedOver } from '../replies/replies.service.js';
import { errorsOf, type FormMessages, formFields, optional, versionOf, withRecord } from './console.forms.js';
import { renderNotAllowedPage } from './console.render.js';
import type { ConsoleSection } from './console.session.js';
import { type ItemView, renderItemPage, type TriageFields } from './console-item.render.js';

type FormName = NonNullable<ItemView['refused']>['form'];

/** Each form's field messages, GOV.UK style: what to do, not what went wrong. */
const fieldMessages: Record<string, string> = {
  youSaid: 'Write the summary in 280 characters or fewer, as plain text',
  kind: 'Choose a kind from the list',
  themes: 'Use theme codes from the vocabulary, 20 at most',
  reasonCode: 'Choose a reason',
  explanation: 'Write the public explanation, 1000 characters at most',
  referredTo: 'Write who it was passed on to in 200 characters or fewer',
  reason: 'Write why it is reopened, 1000 characters at most',
  status: 'Choose what to record',
  note: 'Write the note in 1000 characters or fewer',
  actionId: 'Choose an action from the list',
  title: 'Write what will be done, 200 characters at most',
};

/** The first field of each form: where a refusal that names no field points. */
const firstField: Record<FormName, string> = {
  triage: 'youSaid',
  decision: 'reasonCode',
  reopen: 'reason',
  safeguarding: 'status',
  link: 'actionId',
  action: 'title',
  reply: 'replies-title',
  erase: 'confirm',
};

const itemForm = (form: FormName): FormMessages => ({ messages: fieldMessages, firstField: firstField[form] });

/**
 * The console's item page and its forms. Each form is a POST with the page's token and the
 * item's version, sent to the feedback services as If-Match: a change someone else saved first is
 * shown beside the person's own, never overwritten in silence. Registered by `consolePages`.
 */
export function consoleItemPages(console: ConsoleSection): FastifyPluginAsyncZod {
  const { personOrSignIn, pageConfig } = console;
  return async (app) => {
    /** The page, the private text read through the API's service (and audited as it is). */
    async function itemPage(principal: Principal, id: string, csrf: string, extra: Partial<ItemView> = {}) {
      const item = (await readFeedbackItem(app.db, principal, id)) as Feedback;
      const attachments =
        principal.role === 'staff' || principal.role === 'admin'
          ? (await listAttachments(app.db, principal, id, { limit: 50 })).items
          : [];
      const visible = await listVisibleActions(app.db, principal, { limit: 200 });
      const choice = (action: { id: string; title: string; status: string }) => ({
        id: action.id,
        title: action.title,
        status: action.status,
      });
      const actions = {
        linked: visible.items.filter((action) => item.actionIds.includes(action.id)).map(choice),
        choices: visible.items.filter((action) => action.status !== 'cancelled').map(choice),
      };
      const replies =
        principal.role === 'staff' || principal.role === 'admin'
          ? (await listReplies(app.db, principal, id, { limit: 50 })).items
          : [];
      const mayErase = principal.role === 'admin';
      return renderItemPage({ item, attachments, actions, replies, mayErase, csrf, now: new Date(), ...extra });
    }

    const withItem = (
      request: FastifyRequest,
      reply: FastifyReply,
      work: (principal: Principal, csrf: string, id: string) => Promise<unknown>,
    ) => withRecord(personOrSignIn, request, reply, work);

    /** One form's POST: checks the fields, calls the service, answers the page again or the refusal. */
    function formRoute<T>(
      form: FormName,
      schema: z.ZodType<T>,
      toInput: (fields: Record<string, string>) => unknown,
      save: (principal: Principal, id: string, input: T, ifMatch: string) => Promise<unknown>,
      conflictFields?: (fields: Record<string, string>) => TriageFields,
    ) {
      return (request: FastifyRequest, reply: FastifyReply) =>
        withItem(request, reply, async (principal, csrf, id) => {
          const fields = formFields(request.body as Record<string, string>);
          const refuse = async (status: number, errors: FieldError[]) =>
            sendPage(reply, status, await itemPage(principal, id, csrf, { refused: { form, errors, fields } }));
          // The item must be in scope before anything about the form is said.
          await getFeedbackItem(app.db, principal, id);
          const parsed = schema.safeParse(toInput(fields));
          if (!parsed.success) return refuse(400, errorsOf(parsed.error, itemForm(form)));
          try {
            await save(principal, id, parsed.data, versionOf(fields));
          } catch (error) {
            if (!(error instanceof HttpProblem) || error.kind === 'not-found') throw error;
            if (error.kind === 'precondition-failed') {
              if (conflictFields) {
                const page = await itemPage(principal, id, csrf, { conflict: conflictFields(fields) });
                return sendPage(reply, 409, page);
              }
              return refuse(409, [
                { field: firstField[form], message: 'Someone else changed this item first: check it and try again' },
              ]);
            }
            return refuse(error.status, errorsOf(error, itemForm(form)));
          }
          return reply.redirect(`/console/feedback/${id}`, 303);
        });
    }

    const formResponses = {
      303: z.null().describe('Saved: back to the item page'),
      400: pageOrProblem(
        'A field did not check out: the page again, with an error summary (a page); a malformed id (problem details)',
      ),
      401: htmlResponse('Not signed in: a page with the way to sign in'),
      403: htmlResponse('The form token was missing or wrong, or the role may not do this: nothing done'),
      404: htmlResponse('No such item within the person’s units'),
      409: htmlResponse('Someone else changed the item first, or the change is not possible now: nothing done'),
    };
    const formSchema = (operationId: string, summary: string, description: string) => ({
      operationId,
      tags: ['console'],
      summary,
      description: `${description} Needs the page’s form token (\`_csrf\`) and the item’s \`version\` (sent to the service as If-Match).`,
      params: feedbackParamsSchema,
      body: formBodySchema,
      response: formResponses,
    });

    app.get('/console/feedback/:id', {
      config: pageConfig,
      schema: {
        operationId: 'getConsoleFeedbackPage',
        tags: ['console'],
        summary: 'One feedback item: its private text, attachments, contact, history and the triage forms',
        description:
          'Read through the same service as GET /v1/feedback/{id}, so reading the text and contact is audited as there, and an item outside the person’s units is not found, as for an API key of the same scope.',
        params: feedbackParamsSchema,
        response: {
          200: htmlResponse('The item'),
          400: pageOrProblem('A malformed id (problem details)'),
          401: htmlResponse('Not signed in: a page with the way to sign in'),
          404: htmlResponse('No such item within the person’s units'),
        },
      },
      handler: (request, reply) =>
        withItem(request, reply, async (principal, csrf, id) =>
          sendPage(reply, 200, await itemPage(principal, id, csrf)),
        ),
    });

    const triageOf = (fields: Record<string, string>): TriageFields => ({
      youSaid: fields.youSaid ?? '',
      publishConsent: fields.publishConsent === 'yes',
      reviewConsent: fields.reviewConsent === 'yes',
      kind: fields.kind ?? '',
      themes: fields.themes ?? '',
    });

    app.post('/console/feedback/:id/triage', {
      config: pageConfig,
      schema: formSchema(
        'triageConsoleFeedback',
        'Saves the “You said” summary, its publish and review consent, kind and themes (PATCH /v1/feedback/{id})',
        'An empty summary clears it. When someone else saved the item first, answers 409 with the item as it is now beside the person’s own version, in the form to save again.',
      ),
      handler: formRoute(
        'triage',
        updateFeedbackSchema,
        (fields) => {
          const triage = triageOf(fields);
          return {
            youSaid: optional(triage.youSaid) ?? null,
            publishConsent: triage.publishConsent,
            reviewConsent: triage.reviewConsent,
            ...(optional(triage.kind) ? { kind: triage.kind } : {}),
            themes: triage.themes
              .split(',')
              .map((code) => code.trim())
              .filter(Boolean),
          };
        },
        (principal, id, input, ifMatch) => updateFeedback(app.db, principal, id, input, ifMatch),
        triageOf,
      ),
    });

    app.post('/console/feedback/:id/decision', {
      config: pageConfig,
      schema: formSchema(
        'decideConsoleFeedback',
        'Records a decision not to act: reason and public explanation (POST /v1/feedback/{id}/decision)',
        'Closes the item as `not_actioned`.',
      ),
      handler: formRoute(
        'decision',
        createDecisionSchema,
        (fields) => ({
          reasonCode: optional(fields.reasonCode),
          explanation: fields.explanation ?? '',
          ...(optional(fields.referredTo) ? { referredTo: fields.referredTo } : {}),
        }),
        (principal, id, input, ifMatch) => recordDecision(app.db, principal, id, input, ifMatch),
      ),
    });

    app.post('/console/feedback/:id/reopen', {
      config: pageConfig,
      schema: formSchema(
        'reopenConsoleFeedback',
        'Reopens a closed item, with the reason (POST /v1/feedback/{id}/reopen)',
        'The reason is kept in the item’s history.',
      ),
      handler: formRoute(
        'reopen',
        reopenSchema,
        (fields) => ({ reason: fields.reason ?? '' }),
        (principal, id, input, ifMatch) => reopenFeedback(app.db, principal, id, input.reason, ifMatch),
      ),
    });

    app.post('/console/feedback/:id/safeguarding', {
      config: pageConfig,
      schema: formSchema(
        'safeguardConsoleFeedback',
        'Flags an item for safeguarding, or marks a flagged one reviewed or cleared (POST /v1/feedback/{id}/safeguarding)',
        'The note is private, for the audit trail.',
      ),
      handler: formRoute(
        'safeguarding',
        setSafeguardingSchema,
        (fields) => ({ status: fields.status, ...(optional(fields.note) ? { note: fields.note } : {}) }),
        (principal, id, input, ifMatch) => setSafeguarding(app.db, principal, id, input, ifMatch),
      ),
    });

    app.post('/console/feedback/:id/link', {
      config: pageConfig,
      schema: formSchema(
        'linkConsoleFeedback',
        'Links the item to an existing action (POST /v1/actions/{id}/feedback/{feedbackId})',
        'An open item becomes `planned` (or `actioned` under a completed action). The action must be of the item’s unit or above it.',
      ),
      handler: formRoute(
        'link',
        z.object({ actionId: z.uuid() }),
        (fields) => ({ actionId: fields.actionId }),
        (principal, id, input) => linkFeedback(app.db, principal, input.actionId, id),
      ),
    });

    app.post('/console/feedback/:id/action', {
      config: pageConfig,
      schema: formSchema(
        'createConsoleAction',
        'Creates an action in the item’s unit and links the item to it (POST /v1/actions)',
        'The title is public: what will be done, never a patient.',
      ),
      handler: formRoute(
        'action',
        createActionSchema.pick({ title: true }),
        (fields) => ({ title: fields.title ?? '' }),
        async (principal, id, input) => {
          const item = await getFeedbackItem(app.db, principal, id);
          return createAction(app.db, principal, { title: input.title, unitId: item.unitId, feedbackIds: [id] });
        },
      ),
    });

    app.post('/console/feedback/:id/replies/:replyId/handed-over', {
      config: pageConfig,
      schema: {
        ...formSchema(
          'handOverConsoleReply',
          'Records that staff gave the reply slip to the person (POST /v1/feedback/{id}/replies/{replyId}/handed-over)',
          'For an in-person reply, or one that could not be sent. The item then counts as acknowledged.',
        ),
        params: replyParamsSchema,
      },
      handler: (request, reply) =>
        withItem(request, reply, async (principal, csrf, id) => {
          try {
            await recordHandedOver(app.db, principal, id, request.params.replyId);
          } catch (error) {
            if (!(error instanceof HttpProblem) || error.kind === 'not-found') throw error;
            const page = await itemPage(principal, id, csrf, {
              refused: { form: 'reply', errors: [{ field: firstField.reply, message: error.message }], fields: {} },
            });
            return sendPage(reply, error.status, page);
          }
          return reply.redirect(`/console/feedback/${id}`, 303);
        }),
    });

    app.post('/console/feedback/:id/erase', {
      config: pageConfig,
      schema: formSchema(
        'eraseConsoleFeedback',
        'Erases the personal data of the item for good, keeping its counts and history (POST /v1/feedback/{id}/erase); admins only',
        'Removes the words, the contact details, the equality answers, the external reference, and the “You said” unless the person agreed to its publication; status, dates, unit, kind, channel and themes stay, and replies not yet sent are cancelled. Needs `confirm=yes` (the box “I understand this cannot be undone”): without it the page again with an error summary (400). Staff and auditors are refused (403), as by the API. Audited (`erased`, as the signed-in person); then 303 back to the item page, which shows “Erased”. Erasing again changes nothing.',
      ),
      handler: (request, reply) =>
        withItem(request, reply, async (principal, csrf, id) => {
          const fields = formFields(request.body as Record<string, string>);
          const item = await getFeedbackItem(app.db, principal, id);
          if (principal.role !== 'admin') {
            return sendPage(reply, 403, renderNotAllowedPage('Only an admin may erase an item', csrf));
          }
          const refuse = async (status: number, message: string) => {
            const refused = { form: 'erase' as const, errors: [{ field: firstField.erase, message }], fields };
            return sendPage(reply, status, await itemPage(principal, id, csrf, { refused }));
          };
          if (fields.confirm !== 'yes') {
            return refuse(400, 'Tick the box to confirm you want to erase this item’s personal data for good');
          }
          if (versionOf(fields) !== `"v${item.version}"`) {
            return refuse(409, 'Someone else changed this item first: check it and try again');
          }
          await eraseFeedback(app.db, principal, id);
          return reply.redirect(`/console/feedback/${id}`, 303);
        }),
    });

    app.get('/console/feedback/:id/attachments/:attachmentId', {
      config: pageConfig,
      schema: {
        operationId: 'getConsoleFeedbackAttachment',
        tags: ['console'],
        summary:
          'One attachment of an item, for the item page’s player (GET /v1/feedback/{id}/attachments/{attachmentId})',
        description:
          'The same service, scope and audit (`attachment_read`) as the API’s download, for the signed-in person; `X-Content-Type-Options: nosniff`, `Cache-Control: no-store`.',
        params: attachmentParamsSchema,
        response: {
          200: {
            description: 'The file',
            content: { 'application/octet-stream': { schema: z.string().describe('The bytes') } },
          },
          400: pageOrProblem('A malformed id (problem details)'),
          401: htmlResponse('Not signed in: a page with the way to sign in'),
          404: htmlResponse('No such item or attachment within the person’s units'),
        },
      },
      handler: (request, reply) =>
        withItem(request, reply, async (principal, _csrf, id) => {
          const file = await downloadAttachment(app.db, principal, id, request.params.attachmentId);
          reply
            .type(file.mediaType)
            .header('x-content-type-options', 'nosniff')
            .header('cache-control', 'no-store')
            .header('content-length', String(file.size))
            .send(file.stream as unknown as string);
        }),
    });
  };
}
