import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getTrackingView, trackingViewSchema } from './tracking.service.js';

export const trackingRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/track/:reference', {
    // One guess budget per client address, shared with the /track pages (see addressBudgets).
    config: { auth: 'public', addressBudget: 'tracking', noStore: true },
    schema: {
      operationId: 'trackFeedback',
      tags: ['tracking'],
      summary: 'Follow one piece of feedback by its reference: status and public answer, nothing private',
      description:
        'For the person who gave the feedback: status in plain words, dates, the consented summary and the public answer (“We did”, “We are doing”, “We couldn’t, because”); never the text, contact or equality answers. Unknown and malformed references both answer 404. `Cache-Control: no-store`; rate limited per address so references cannot be found by trying many.',
      params: z.object({
        reference: z.string().max(40).describe('`XXXX-XXXX`, any case, hyphen optional'),
      }),
      response: { 200: trackingViewSchema },
    },
    handler: async (request, reply) => {
      const view = await getTrackingView(app.db, request.params.reference);
      // Whoever holds the reference may follow it; shared caches and search engines may not keep it.
      return reply.header('x-robots-tag', 'noindex').send(view);
    },
  });
};
