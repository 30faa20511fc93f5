import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../auth/auth.plugin.js';
import { reviewFeedbackQuerySchema, reviewItemSchema, reviewPageSchema, reviewParamsSchema } from './review.schemas.js';
import { getReviewItem, listReviewFeedback } from './review.service.js';

/** The panel reads; staff read the same view when they record a panel meeting. */
const panel = { roles: ['reviewer', 'staff'] } as const;

export const reviewRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/review/feedback', {
    config: { auth: panel, noStore: true },
    schema: {
      operationId: 'listReviewFeedback',
      tags: ['review'],
      summary: 'De-identified feedback for the lived-experience panel, newest first',
      description:
        'For reviewer keys (and staff recording a panel meeting), within the key’s unit subtree. Each item carries only `youSaid`, kind, themes, channel, unit, dates, status and the public answer; never `text`, `contact`, equality answers or attachments. Only items whose person agreed to publication (`publishConsent`) or to panel review (`reviewConsent`), with a `youSaid`, not erased and not waiting for a safeguarding review are listed; the others are left out without a trace.',
      querystring: reviewFeedbackQuerySchema,
      response: { 200: reviewPageSchema },
    },
    handler: async (request) => listReviewFeedback(app.db, principalOf(request), request.query),
  });

  app.get('/review/feedback/:id', {
    config: { auth: panel, noStore: true },
    schema: {
      operationId: 'getReviewItem',
      tags: ['review'],
      summary: 'One de-identified feedback item for the panel',
      description:
        'An item the key may not review (no consent, waiting for a safeguarding review, erased, outside its scope) answers 404, exactly as an id that does not exist.',
      params: reviewParamsSchema,
      response: { 200: reviewItemSchema },
    },
    handler: async (request) => getReviewItem(app.db, principalOf(request), request.params.id),
  });
};
