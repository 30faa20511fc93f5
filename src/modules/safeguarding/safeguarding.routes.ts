import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { etagOf, ifMatchHeadersSchema } from '../../http/etag.js';
import { problemResponse } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import { replaceSafeguardingPhrasesSchema, safeguardingPhrasesSchema } from './safeguarding.schemas.js';
import { getPhrases, replacePhrases } from './safeguarding.service.js';

const screenIsAnAid =
  'The screen is an aid for a person, not a diagnosis: a match flags the item for staff to look at (`safeguarding: flagged`), keeps it off every public surface until they mark it `reviewed` or `cleared`, and announces `feedback.safeguarding`. Every intake path is screened (single, batch, CSV), on `text` and `youSaid`. Phrases match as whole words, ignoring case and accents: `suicide` matches “Suïcide!” but `abuse` does not match “abusers” (list each word form you want to catch).';

export const safeguardingRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/safeguarding/phrases', {
    config: { auth: { roles: ['staff'] }, noStore: true },
    schema: {
      operationId: 'getSafeguardingPhrases',
      tags: ['safeguarding'],
      summary: 'The safeguarding phrase list intake screens against',
      description: screenIsAnAid,
      response: { 200: safeguardingPhrasesSchema },
    },
    handler: async (_request, reply) => {
      const list = await getPhrases(app.db);
      return reply.header('etag', etagOf(list.version)).send(list);
    },
  });

  app.put('/safeguarding/phrases', {
    config: { auth: { roles: [] }, noStore: true },
    schema: {
      operationId: 'replaceSafeguardingPhrases',
      tags: ['safeguarding'],
      summary: 'Replace the safeguarding phrase list',
      description: `The list sent becomes the whole list and applies to items received from then on (items already recorded are not screened again); the replacement is audited with the phrases added and removed. The list is shared by the whole trust, so only an admin key without a unit scope may replace it; a scoped admin key answers 403. ${screenIsAnAid}`,
      headers: ifMatchHeadersSchema,
      body: replaceSafeguardingPhrasesSchema,
      response: {
        200: safeguardingPhrasesSchema,
        412: problemResponse(
          '`If-Match` names a version of the list that is no longer current (`precondition-failed`)',
        ),
      },
    },
    handler: async (request, reply) => {
      const list = await replacePhrases(
        app.db,
        principalOf(request),
        request.body.phrases,
        request.headers['if-match'],
      );
      return reply.header('etag', etagOf(list.version)).send(list);
    },
  });
};
