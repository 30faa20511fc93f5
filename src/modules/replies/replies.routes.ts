import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponse } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import { listRepliesQuerySchema, replyPageSchema, replyParamsSchema, replySchema } from './replies.schemas.js';
import { listReplies, recordHandedOver } from './replies.service.js';

/** GET /v1/feedback/{id}/replies and POST …/{replyId}/handed-over: replies to the person, for staff. */
export const repliesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/feedback/:id/replies', {
    config: { auth: { roles: ['staff'] }, noStore: true },
    schema: {
      operationId: 'listReplies',
      tags: ['replies'],
      summary: 'Every reply to the person who gave this feedback, with its status and attempts',
      description:
        'The acknowledgement written when the item was received and an answer for each close, oldest first. An item outside the key’s unit scope answers 404. The words of a reply are never stored; an in-person reply’s words are on its slip (GET /v1/feedback/{id}/replies/{replyId}/slip).',
      params: replyParamsSchema.pick({ id: true }),
      querystring: listRepliesQuerySchema,
      response: { 200: replyPageSchema },
    },
    handler: async (request) => listReplies(app.db, principalOf(request), request.params.id, request.query),
  });

  app.post('/feedback/:id/replies/:replyId/handed-over', {
    config: { auth: { roles: ['staff'] }, noStore: true },
    schema: {
      operationId: 'recordReplyHandedOver',
      tags: ['replies'],
      summary: 'Record that staff gave the reply slip to the person',
      description:
        'For an in-person reply that is `queued`, and as the fallback for any reply that `failed` or is `undeliverable` (print its slip and hand it over). The reply becomes `handed_over` with `handedOverAt`, the item counts as acknowledged when this is its first reply to reach the person, and the audit trail records who did it. A reply that was sent, cancelled or already handed over, or an email, SMS or letter still queued for sending, answers 409 (`illegal-transition`).',
      params: replyParamsSchema,
      response: {
        200: replySchema,
        409: problemResponse('The reply cannot be handed over in its state (`illegal-transition`)'),
      },
    },
    handler: async (request) =>
      recordHandedOver(app.db, principalOf(request), request.params.id, request.params.replyId),
  });
};
