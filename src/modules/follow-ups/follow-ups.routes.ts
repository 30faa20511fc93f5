import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponse } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import {
  createFollowUpSchema,
  followUpPageSchema,
  followUpReceiptSchema,
  listFollowUpsQuerySchema,
} from './follow-ups.schemas.js';
import { answerFollowUp, listFollowUps } from './follow-ups.service.js';

/** "Did this answer you?": the person answers by their reference; staff read the answers. */
export const followUpsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/track/:reference/follow-up', {
    // The same guess budget per client address as tracking: a reference is as secret here as there.
    config: { auth: 'public', addressBudget: 'tracking', noStore: true },
    schema: {
      operationId: 'answerFollowUp',
      tags: ['tracking'],
      summary: '"Did this answer you?": the person says whether the answer helped (yes, partly or no)',
      description:
        'For the person who gave the feedback, by its reference, once the item is closed: one answer per close (per answer reply). `no` reopens the item to `in_review` with the reason “the person said the answer did not help”, in the same transaction. Every answer is announced as `feedback.follow_up` on the change feed and webhooks, without the comment. The comment is private: staff read it (GET /v1/feedback/{id}/follow-ups); it is never on a public surface, in an event or in the audit trail. Unknown and malformed references both answer 404; rate limited per address together with tracking.',
      params: z.object({
        reference: z.string().max(40).describe('`XXXX-XXXX`, any case, hyphen optional'),
      }),
      body: createFollowUpSchema,
      response: {
        201: followUpReceiptSchema,
        409: problemResponse(
          'The feedback is still open (`illegal-transition`), or this answer was already rated (`conflict`)',
        ),
      },
    },
    handler: async (request, reply) => {
      const receipt = await answerFollowUp(app.db, request.params.reference, request.body);
      return reply.code(201).header('x-robots-tag', 'noindex').send(receipt);
    },
  });

  app.get('/feedback/:id/follow-ups', {
    config: { auth: { roles: ['staff'] }, noStore: true },
    schema: {
      operationId: 'listFollowUps',
      tags: ['feedback'],
      summary: 'What the person said to "Did this answer you?", with their private comments',
      description:
        'One entry per close of the item at most, oldest first, each with the answer reply it is about (`replyId`) when there was one. Reading a comment writes an audit event (`follow_up_comments_read`), as reading private text does. An item outside the key’s unit scope answers 404.',
      params: z.object({ id: z.uuid() }),
      querystring: listFollowUpsQuerySchema,
      response: { 200: followUpPageSchema },
    },
    handler: async (request) => listFollowUps(app.db, principalOf(request), request.params.id, request.query),
  });
};
