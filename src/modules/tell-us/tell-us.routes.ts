import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { publicRateLimit } from '../../http/pages/rate-limit.js';
import { notFound, problemResponse } from '../../http/problems.js';
import type { TellUsGuard } from './tell-us.guard.js';
import { publicFeedbackReceiptSchema, publicFeedbackSchema } from './tell-us.schemas.js';
import { findTellUsUnit, sendPublicFeedback } from './tell-us.service.js';

/** POST /v1/units/{id}/public-feedback and the proof-of-work challenge: the public form's rules, for apps. */
export const tellUsRoutes: FastifyPluginAsyncZod<{ guard: TellUsGuard }> = async (app, { guard }) => {
  app.get('/public-feedback/challenge', {
    config: { auth: 'public', rateLimit: publicRateLimit(app.config.BOARD_RATE_LIMIT_PER_MINUTE), noStore: true },
    schema: {
      operationId: 'getPublicFeedbackChallenge',
      tags: ['tell-us'],
      summary: 'A proof-of-work challenge (ALTCHA) to solve before sending public feedback',
      description:
        'Solved in the background by the form’s own script (or by an app with an ALTCHA library) and sent as `altcha`. A sending without a solved challenge is still accepted, under the stricter hourly limit (TELL_US_RATE_LIMIT_WITHOUT_CHALLENGE_PER_HOUR). 404 when the service has no ALTCHA_HMAC_KEY (nor AUDIT_HMAC_KEY to derive one from).',
      response: {
        200: z
          .object({})
          .passthrough()
          .describe('An ALTCHA v2 challenge (`parameters`, `signature`), valid for 30 minutes'),
        404: problemResponse('The proof-of-work is off: no ALTCHA_HMAC_KEY nor AUDIT_HMAC_KEY (`not-found`)'),
      },
    },
    handler: async () => {
      if (!guard.challengeOn) throw notFound('A proof-of-work challenge');
      return guard.newChallenge();
    },
  });

  app.post('/units/:id/public-feedback', {
    config: { auth: 'public', noStore: true },
    schema: {
      operationId: 'sendPublicFeedback',
      tags: ['tell-us'],
      summary: 'Feedback from a person, sent by an app without an API key (the public form’s JSON twin)',
      description:
        'Records the item with channel `online` and format `written`, as the public form does, and answers with the tracking reference. Only what a person may say is accepted: `status`, `youSaid`, themes and `externalRef` are refused (400 naming the field). Abuse protection: TELL_US_RATE_LIMIT_PER_HOUR sendings per address per hour (429 with `Retry-After`), fewer without a solved proof-of-work (`altcha`), text up to TELL_US_MAX_TEXT_CHARS, and an identical sending from the same address within ten minutes answered with the first reference (recorded once). A unit that does not exist or whose board is off answers 404.',
      params: z.object({ id: z.uuid().describe('The unit the feedback is about') }),
      body: publicFeedbackSchema,
      response: {
        201: publicFeedbackReceiptSchema.describe(
          'Recorded (or, for a repeat within ten minutes, the first sending’s reference)',
        ),
      },
    },
    handler: async (request, reply) => {
      const unit = await findTellUsUnit(app.db, { id: request.params.id });
      const receipt = await sendPublicFeedback(app.db, app.config, guard, {
        unit,
        input: request.body,
        kiosk: false,
        request,
      });
      return reply.code(201).send(receipt);
    },
  });
};
