import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { htmlResponse, sendPage } from '../../http/pages/html.js';
import { problemResponse } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import { replyParamsSchema, slipQuerySchema } from './replies.schemas.js';
import { getReplySlip } from './replies.service.js';
import { slipPage } from './replies.slip.js';

/** GET /v1/feedback/{id}/replies/{replyId}/slip: the printable reply, for staff to hand over. */
export const repliesPages: FastifyPluginAsyncZod = async (app) => {
  app.get('/v1/feedback/:id/replies/:replyId/slip', {
    config: { auth: { roles: ['staff'] }, noStore: true },
    schema: {
      operationId: 'getReplySlip',
      tags: ['replies'],
      summary: 'A printable reply slip to hand to the person: the reference and the public answer',
      description:
        'An accessible HTML page that prints on A5 (or A4 with `paper=a4`; large print, 18 pt, prints on A4 unless asked otherwise), in Easy Read when the person asked for it. It holds what the reply says: the reference, the unit, the summary and the public answer, and the tracking link where the person can say whether it answered them. Never the person’s own words, their contact details or anyone else’s. A box for staff, left off the print, says what support the person needs (`supportNeeded`). For an in-person reply, and as the fallback when an email, SMS or letter failed. A cancelled reply (the item was erased) answers 409. `Cache-Control: no-store`.',
      params: replyParamsSchema,
      querystring: slipQuerySchema,
      response: {
        200: htmlResponse('The reply slip'),
        409: problemResponse('The reply was cancelled: the item was erased (`illegal-transition`)'),
      },
    },
    handler: async (request, reply) => {
      const slip = await getReplySlip(
        app.db,
        principalOf(request),
        request.params.id,
        request.params.replyId,
        app.config.PUBLIC_BASE_URL,
      );
      return sendPage(reply, 200, slipPage(slip, request.query.paper));
    },
  });
};
