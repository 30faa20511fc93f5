import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { etagOf } from '../../http/etag.js';
import { problemResponse } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import {
  acceptRecommendationSchema,
  createRecommendationSchema,
  declineRecommendationSchema,
  listRecommendationsQuerySchema,
  recommendationPageSchema,
  recommendationParamsSchema,
  recommendationSchema,
} from './recommendations.schemas.js';
import {
  acceptRecommendation,
  createRecommendation,
  declineRecommendation,
  getRecommendation,
  listRecommendations,
} from './recommendations.service.js';

/** The panel makes them, staff record them from a panel meeting; auditors read them too. */
const recommenders = { roles: ['reviewer', 'staff'] } as const;
const readers = { roles: ['reviewer', 'staff', 'auditor'] } as const;
const staff = { roles: ['staff'] } as const;

const illegalMove = problemResponse(
  '`illegal-transition`: the recommendation’s status does not allow this; the detail names the rule',
);

export const recommendationsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/recommendations', {
    config: { auth: recommenders, noStore: true },
    schema: {
      operationId: 'createRecommendation',
      tags: ['recommendations'],
      summary: 'Record a recommendation of the lived-experience panel for a unit',
      description:
        'For a reviewer key, or staff recording a panel meeting. `feedbackIds` must be items the key may read in `GET /v1/review/feedback`, about the unit or a unit below it; any other id (hidden or unknown alike) answers 400 naming it. `themes` must be in the vocabulary. Starts `proposed`; announced as `recommendation.created`.',
      body: createRecommendationSchema,
      response: { 201: recommendationSchema },
    },
    handler: async (request, reply) => {
      const recommendation = await createRecommendation(app.db, principalOf(request), request.body);
      return reply
        .code(201)
        .header('location', `/v1/recommendations/${recommendation.id}`)
        .header('etag', etagOf(recommendation.version))
        .send(recommendation);
    },
  });

  app.get('/recommendations', {
    config: { auth: readers, noStore: true },
    schema: {
      operationId: 'listRecommendations',
      tags: ['recommendations'],
      summary: 'List recommendations, newest first',
      description:
        'Every recommendation in the key’s unit subtree, whoever made it (the panel works as a group; no recommendation names its maker). Filter by `unitId`, `status`, `theme` and when it was made; cursor paging with `nextCursor`.',
      querystring: listRecommendationsQuerySchema,
      response: { 200: recommendationPageSchema },
    },
    handler: async (request) => listRecommendations(app.db, principalOf(request), request.query),
  });

  app.get('/recommendations/:id', {
    config: { auth: readers, noStore: true },
    schema: {
      operationId: 'getRecommendation',
      tags: ['recommendations'],
      summary: 'Read one recommendation and the ward’s answer',
      description: 'One outside the key’s unit scope answers 404.',
      params: recommendationParamsSchema,
      response: { 200: recommendationSchema },
    },
    handler: async (request, reply) => {
      const recommendation = await getRecommendation(app.db, principalOf(request), request.params.id);
      return reply.header('etag', etagOf(recommendation.version)).send(recommendation);
    },
  });

  app.post('/recommendations/:id/accept', {
    config: { auth: staff, noStore: true },
    schema: {
      operationId: 'acceptRecommendation',
      tags: ['recommendations'],
      summary: 'Accept a recommendation, answering it with actions ("We did …" once they are completed)',
      description:
        'The actions must exist (create new ones with `POST /v1/actions` first), be visible to the key, belong to the recommendation’s unit or a unit below it, and not be cancelled. A proposed recommendation becomes `accepted`, or `done` straight away when every action is already completed; an accepted one has its actions replaced by these. It becomes `done` when every linked action is completed and goes back to `accepted` if a link is added that is not; the database keeps this true whatever changes the actions. Declined and done ones answer 409. Announced as `recommendation.accepted` (and `recommendation.done`).',
      params: recommendationParamsSchema,
      body: acceptRecommendationSchema,
      response: { 200: recommendationSchema, 409: illegalMove },
    },
    handler: async (request, reply) => {
      const recommendation = await acceptRecommendation(app.db, principalOf(request), request.params.id, request.body);
      return reply.header('etag', etagOf(recommendation.version)).send(recommendation);
    },
  });

  app.post('/recommendations/:id/decline', {
    config: { auth: staff, noStore: true },
    schema: {
      operationId: 'declineRecommendation',
      tags: ['recommendations'],
      summary: 'Decline a recommendation, saying why in plain words ("We couldn’t, because …")',
      description:
        'Only a proposed recommendation can be declined (409 otherwise). `response` is public: the board shows it beside the recommendation. Announced as `recommendation.declined`.',
      params: recommendationParamsSchema,
      body: declineRecommendationSchema,
      response: { 200: recommendationSchema, 409: illegalMove },
    },
    handler: async (request, reply) => {
      const recommendation = await declineRecommendation(app.db, principalOf(request), request.params.id, request.body);
      return reply.header('etag', etagOf(recommendation.version)).send(recommendation);
    },
  });
};
