import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageOf, pageQuerySchema } from '../../http/pagination.js';
import { principalOf } from '../auth/auth.plugin.js';
import {
  createdReviewInviteSchema,
  createReviewInviteSchema,
  reviewInviteParamsSchema,
  reviewInviteSchema,
} from './review-invites.schemas.js';
import { createInvite, listInvites, revokeInvite } from './review-invites.service.js';

const adminOnly = { roles: [] } as const;

export const reviewInvitesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/review/invites', {
    config: { auth: adminOnly, noStore: true },
    schema: {
      operationId: 'createReviewInvite',
      tags: ['review'],
      summary: 'Invite a lived-experience reviewer: a one-time link that signs them in, no password',
      description:
        'Answers `url`, a link under PUBLIC_BASE_URL to give the reviewer (by email, text or on paper). Opening it shows a page with a Start button; pressing it signs the reviewer in to the panel pages under /review/ with a session that sees exactly what a `reviewer` key scoped to `unitId` sees. The link works once, for REVIEW_INVITE_TTL_HOURS. Only a hash of it is stored: keep `url` now (`Cache-Control: no-store`). A unit-scoped admin may only invite within its own unit. Audited.',
      body: createReviewInviteSchema,
      response: { 201: createdReviewInviteSchema },
    },
    handler: async (request, reply) => {
      const created = await createInvite(app.db, app.config, principalOf(request), request.body);
      return reply.code(201).header('location', `/v1/review/invites/${created.id}`).send(created);
    },
  });

  app.get('/review/invites', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'listReviewInvites',
      tags: ['review'],
      summary: 'List reviewer invites, newest first, with their status and live sessions',
      description:
        'Without the links (only their hashes are kept). A unit-scoped admin sees the invites within its subtree. Cursor paging: pass `nextCursor` as `cursor`.',
      querystring: pageQuerySchema,
      response: { 200: pageOf(reviewInviteSchema) },
    },
    handler: async (request) => listInvites(app.db, principalOf(request), request.query),
  });

  app.delete('/review/invites/:id', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'revokeReviewInvite',
      tags: ['review'],
      summary: 'Revoke an invite: the link stops working and any session it started ends',
      description:
        'A reviewer signed in by this invite is signed out at their next request. Audited. Revoking a revoked invite changes nothing.',
      params: reviewInviteParamsSchema,
      response: { 204: z.undefined() },
    },
    handler: async (request, reply) => {
      await revokeInvite(app.db, principalOf(request), request.params.id);
      return reply.code(204).send();
    },
  });
};
