import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { etagOf, ifMatchHeadersSchema, transitionConflictResponses } from '../../http/etag.js';
import { principalOf } from '../auth/auth.plugin.js';
import { createDecisionSchema, feedbackSchema, reopenSchema, setSafeguardingSchema } from './feedback.schemas.js';
import { recordDecision, reopenFeedback } from './feedback-lifecycle.service.js';
import { setSafeguarding } from './feedback-safeguarding.service.js';

const params = z.object({ id: z.uuid() });

/**
 * POST /v1/feedback/{id}/decision and /reopen: the "We couldn't, because" answer and its undoing;
 * /safeguarding: a person's review of what the safeguarding screen flagged.
 */
export const feedbackLifecycleRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/feedback/:id/decision', {
    config: { auth: { roles: ['staff'] }, noStore: true },
    schema: {
      operationId: 'recordDecision',
      tags: ['feedback'],
      summary: 'Record "We couldn’t, because …": closes the item as not_actioned',
      description:
        'Only an open item with no planned or in-progress action (unlink it first) can get a decision; a closed item must be reopened first. A compliment closes through an action, never a decision. Those moves answer 409 (`illegal-transition`) naming the rule.',
      params,
      headers: ifMatchHeadersSchema,
      body: createDecisionSchema,
      response: {
        200: feedbackSchema,
        ...transitionConflictResponses('The item cannot take a decision in its state (`illegal-transition`)'),
      },
    },
    handler: async (request, reply) => {
      const { id } = request.params;
      const item = await recordDecision(app.db, principalOf(request), id, request.body, request.headers['if-match']);
      return reply.header('etag', etagOf(item.version)).send(item);
    },
  });

  app.post('/feedback/:id/reopen', {
    config: { auth: { roles: ['staff'] }, noStore: true },
    schema: {
      operationId: 'reopenFeedback',
      tags: ['feedback'],
      summary: 'Reopen a closed item (actioned or not_actioned) back to in_review, with a reason',
      description:
        '`closedAt` is cleared and the current decision is superseded; links to actions, earlier decisions and the status history are kept. Reopening an open item answers 409 (`illegal-transition`).',
      params,
      headers: ifMatchHeadersSchema,
      body: reopenSchema,
      response: {
        200: feedbackSchema,
        ...transitionConflictResponses('The item is not closed (`illegal-transition`)'),
      },
    },
    handler: async (request, reply) => {
      const { id } = request.params;
      const item = await reopenFeedback(
        app.db,
        principalOf(request),
        id,
        request.body.reason,
        request.headers['if-match'],
      );
      return reply.header('etag', etagOf(item.version)).send(item);
    },
  });

  app.post('/feedback/:id/safeguarding', {
    config: { auth: { roles: ['staff'] }, noStore: true },
    schema: {
      operationId: 'setFeedbackSafeguarding',
      tags: ['feedback', 'safeguarding'],
      summary: 'Review what the safeguarding screen flagged, or flag an item by hand',
      description:
        'The safeguarding screen is an aid for a person, not a diagnosis. `flagged` keeps the item off every public surface (boards, the tracking answer and summary); `reviewed` or `cleared` lets it back. Only a flagged (or once flagged) item can be marked `reviewed` or `cleared`: an item never flagged answers 409 (`illegal-transition`). Setting the status it has changes nothing. Audited with the `note`; announced as `feedback.safeguarding` (and `feedback.updated`, as the version moves).',
      params,
      headers: ifMatchHeadersSchema,
      body: setSafeguardingSchema,
      response: {
        200: feedbackSchema,
        ...transitionConflictResponses('The item was never flagged (`illegal-transition`)'),
      },
    },
    handler: async (request, reply) => {
      const { id } = request.params;
      const item = await setSafeguarding(app.db, principalOf(request), id, request.body, request.headers['if-match']);
      return reply.header('etag', etagOf(item.version)).send(item);
    },
  });
};
