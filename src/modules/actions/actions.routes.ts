import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  editIfMatchHeadersSchema,
  editPreconditionResponses,
  etagOf,
  ifMatchHeadersSchema,
  transitionConflictResponses,
} from '../../http/etag.js';
import { pageOf } from '../../http/pagination.js';
import { problemResponse } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import {
  actionLinkParamsSchema,
  actionParamsSchema,
  actionSchema,
  cancelActionSchema,
  completeActionSchema,
  createActionSchema,
  listActionsQuerySchema,
  updateActionSchema,
} from './actions.schemas.js';
import {
  cancelAction,
  completeAction,
  createAction,
  getVisibleAction,
  listVisibleActions,
  toAction,
  updateVisibleAction,
} from './actions.service.js';
import { linkFeedback, unlinkFeedback } from './actions-links.service.js';

const staff = { roles: ['staff'] } as const;
const staffOrAuditor = { roles: ['staff', 'auditor'] } as const;

export const actionsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/actions', {
    config: { auth: staff },
    schema: {
      operationId: 'createAction',
      tags: ['actions'],
      summary: 'Create an action ("We will …"), optionally linked to open feedback items',
      description:
        'Linked items must be open and belong to the action’s unit or a unit below it; they become `planned`. A closed item answers 409 (`illegal-transition`): reopen it first.',
      body: createActionSchema,
      response: { 201: actionSchema, 409: problemResponse('A linked item is closed (`illegal-transition`)') },
    },
    handler: async (request, reply) => {
      const row = await createAction(app.db, principalOf(request), request.body);
      return reply
        .code(201)
        .header('location', `/v1/actions/${row.id}`)
        .header('etag', etagOf(row.version))
        .send(toAction(row));
    },
  });

  app.get('/actions', {
    config: { auth: staffOrAuditor },
    schema: {
      operationId: 'listActions',
      tags: ['actions'],
      summary: 'List actions the key may see, newest first',
      description:
        'Scoped to the key’s unit subtree. Filter by `unitId` (that unit and below), `status` or `feedbackId`; cursor paging with `nextCursor`.',
      querystring: listActionsQuerySchema,
      response: { 200: pageOf(actionSchema) },
    },
    handler: async (request) => listVisibleActions(app.db, principalOf(request), request.query),
  });

  app.get('/actions/:id', {
    config: { auth: staffOrAuditor },
    schema: {
      operationId: 'getAction',
      tags: ['actions'],
      summary: 'Read an action; the ETag is its version',
      description:
        'Send the `ETag` back as `If-Match` when editing, completing or cancelling it. An action outside the key’s unit scope answers 404.',
      params: actionParamsSchema,
      response: { 200: actionSchema },
    },
    handler: async (request, reply) => {
      const row = await getVisibleAction(app.db, principalOf(request), request.params.id);
      return reply.header('etag', etagOf(row.version)).send(toAction(row));
    },
  });

  app.patch('/actions/:id', {
    config: { auth: staff },
    schema: {
      operationId: 'updateAction',
      tags: ['actions'],
      summary: 'Edit a live action (title, description, plannedFor, owner, coproduction, planned ↔ in_progress)',
      description:
        '`If-Match` is required: the ETag you read (a stale one answers 412), or `*` to overwrite deliberately; without it 428 (`precondition-required`), so two people editing at once never silently overwrite each other. An edit that changes no stored value changes nothing: same version, no `action.updated` event, no audit entry. Completed and cancelled actions are a record and answer 409 (`illegal-transition`).',
      params: actionParamsSchema,
      headers: editIfMatchHeadersSchema,
      body: updateActionSchema,
      response: {
        200: actionSchema,
        409: problemResponse('The action is completed or cancelled (`illegal-transition`)'),
        ...editPreconditionResponses,
      },
    },
    handler: async (request, reply) => {
      const row = await updateVisibleAction(
        app.db,
        principalOf(request),
        request.params.id,
        request.body,
        request.headers['if-match'],
      );
      return reply.header('etag', etagOf(row.version)).send(toAction(row));
    },
  });

  app.post('/actions/:id/feedback/:feedbackId', {
    config: { auth: staff },
    schema: {
      operationId: 'linkActionFeedback',
      tags: ['actions'],
      summary: 'Link a feedback item to the action',
      description:
        'An open item becomes `planned` under a planned or in-progress action, or `actioned` (closed) under a completed one, since that action already answers it. Linking an item already linked changes nothing. A closed item (reopen it first) or a cancelled action answers 409; an item outside the action’s unit subtree answers 400.',
      params: actionLinkParamsSchema,
      headers: ifMatchHeadersSchema,
      response: {
        200: actionSchema,
        ...transitionConflictResponses('Closed item or cancelled action (`illegal-transition`)'),
      },
    },
    handler: async (request, reply) => {
      const row = await linkFeedback(
        app.db,
        principalOf(request),
        request.params.id,
        request.params.feedbackId,
        request.headers['if-match'],
      );
      return reply.header('etag', etagOf(row.version)).send(toAction(row));
    },
  });

  app.delete('/actions/:id/feedback/:feedbackId', {
    config: { auth: staff },
    schema: {
      operationId: 'unlinkActionFeedback',
      tags: ['actions'],
      summary: 'Unlink a feedback item from the action',
      description:
        'From a planned or in-progress action: a `planned` item with no other live action goes back to `in_review`. From a completed action: refused with 409 while that action is the only completed one answering an `actioned` item (reopen the item first); otherwise the item keeps its status. A cancelled action’s links are its record: 409.',
      params: actionLinkParamsSchema,
      headers: ifMatchHeadersSchema,
      response: {
        200: actionSchema,
        ...transitionConflictResponses('The link cannot be removed in this state (`illegal-transition`)'),
      },
    },
    handler: async (request, reply) => {
      const row = await unlinkFeedback(
        app.db,
        principalOf(request),
        request.params.id,
        request.params.feedbackId,
        request.headers['if-match'],
      );
      return reply.header('etag', etagOf(row.version)).send(toAction(row));
    },
  });

  app.post('/actions/:id/complete', {
    config: { auth: staff },
    schema: {
      operationId: 'completeAction',
      tags: ['actions'],
      summary: 'Complete the action with a public outcome ("We did …")',
      description:
        'Every linked open item becomes `actioned` with `closedAt`; items already closed keep their answer. A completed or cancelled action answers 409.',
      params: actionParamsSchema,
      headers: ifMatchHeadersSchema,
      body: completeActionSchema,
      response: {
        200: actionSchema,
        ...transitionConflictResponses('Already completed or cancelled (`illegal-transition`)'),
      },
    },
    handler: async (request, reply) => {
      const row = await completeAction(
        app.db,
        principalOf(request),
        request.params.id,
        request.body,
        request.headers['if-match'],
      );
      return reply.header('etag', etagOf(row.version)).send(toAction(row));
    },
  });

  app.post('/actions/:id/cancel', {
    config: { auth: staff },
    schema: {
      operationId: 'cancelAction',
      tags: ['actions'],
      summary: 'Cancel the action, with a reason',
      description:
        'Linked `planned` items with no other planned or in-progress action go back to `in_review`; closed items keep their answer. A completed or cancelled action answers 409.',
      params: actionParamsSchema,
      headers: ifMatchHeadersSchema,
      body: cancelActionSchema,
      response: {
        200: actionSchema,
        ...transitionConflictResponses('Already completed or cancelled (`illegal-transition`)'),
      },
    },
    handler: async (request, reply) => {
      const row = await cancelAction(
        app.db,
        principalOf(request),
        request.params.id,
        request.body,
        request.headers['if-match'],
      );
      return reply.header('etag', etagOf(row.version)).send(toAction(row));
    },
  });
};
