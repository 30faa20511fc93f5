import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageOf } from '../../http/pagination.js';
import { principalOf } from '../auth/auth.plugin.js';
import {
  createdWebhookSchema,
  createWebhookSchema,
  deliveryParamsSchema,
  deliverySchema,
  listDeliveriesQuerySchema,
  webhookParamsSchema,
  webhookSchema,
} from './webhooks.schemas.js';
import {
  createWebhook,
  deliveriesPage,
  enableVisibleWebhook,
  getWebhook,
  listVisibleWebhooks,
  removeWebhook,
  resendDelivery,
  toWebhook,
} from './webhooks.service.js';

const adminOnly = { roles: [] } as const;

export const webhooksRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/webhooks', {
    config: { auth: adminOnly, noStore: true },
    schema: {
      operationId: 'createWebhook',
      tags: ['webhooks'],
      summary: 'Subscribe a URL to events; the signing secret is returned this once',
      description:
        'Deliveries follow the Standard Webhooks specification: a POST of the event (the same JSON as in `GET /v1/events`) with `webhook-id` (the event id), `webhook-timestamp` and `webhook-signature` (HMAC-SHA256 with the secret). At least once, in order per subscription; only a 2xx counts, redirects are not followed, retries back off exponentially with jitter (first retry after about 5 s) for at least 24 hours, after which the delivery fails and the subscription is disabled; a 410 disables it at once. Delivery starts with the events after the subscription is made.',
      body: createWebhookSchema,
      response: { 201: createdWebhookSchema.describe('Created; store `secret` now') },
    },
    handler: async (request, reply) => {
      const created = await createWebhook(
        app.db,
        principalOf(request),
        request.body,
        app.config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      );
      return reply.code(201).header('location', `/v1/webhooks/${created.id}`).send(created);
    },
  });

  app.get('/webhooks', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'listWebhooks',
      tags: ['webhooks'],
      summary: 'The webhook subscriptions the key may see (secrets are never shown again)',
      description:
        'Each with its URL, event types, unit scope and `status`: `disabled` (with the reason) after a 410 from the receiver, a day of failures, or the revocation of the key that made it. An admin key without a unit sees every subscription; a key scoped to a unit sees those about units in its scope.',
      response: { 200: z.object({ items: z.array(webhookSchema) }) },
    },
    handler: async (request) => ({ items: await listVisibleWebhooks(app.db, principalOf(request)) }),
  });

  app.get('/webhooks/:id', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'getWebhook',
      tags: ['webhooks'],
      summary: 'One webhook subscription',
      description: 'Without its signing secret, which was shown only when the subscription was made.',
      params: webhookParamsSchema,
      response: { 200: webhookSchema },
    },
    handler: async (request) => toWebhook(await getWebhook(app.db, principalOf(request), request.params.id)),
  });

  app.delete('/webhooks/:id', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'deleteWebhook',
      tags: ['webhooks'],
      summary: 'End a subscription; its queued deliveries are dropped, the events stay in the feed',
      description: 'The removal is audited. An unknown subscription answers 404.',
      params: webhookParamsSchema,
      response: { 204: z.undefined() },
    },
    handler: async (request, reply) => {
      await removeWebhook(app.db, principalOf(request), request.params.id);
      return reply.code(204).send();
    },
  });

  app.post('/webhooks/:id/enable', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'enableWebhook',
      tags: ['webhooks'],
      summary: 'Enable a disabled subscription; the calling key becomes its owner',
      description:
        'Delivery resumes with the first event not yet delivered. A subscription stops (`disabledReason: creator_revoked`) when the key that made or last enabled it is revoked; enabling it makes the calling key its owner. Enabling an enabled subscription changes nothing.',
      params: webhookParamsSchema,
      response: { 200: webhookSchema },
    },
    handler: async (request) => {
      return enableVisibleWebhook(app.db, principalOf(request), request.params.id);
    },
  });

  app.get('/webhooks/:id/deliveries', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'listWebhookDeliveries',
      tags: ['webhooks'],
      summary: 'Deliveries of a subscription, newest first, each with its attempts',
      description:
        'Filter by `status`; each attempt shows the receiver’s HTTP status or the error. Cursor paging with `nextCursor`.',
      params: webhookParamsSchema,
      querystring: listDeliveriesQuerySchema,
      response: { 200: pageOf(deliverySchema) },
    },
    handler: async (request) => deliveriesPage(app.db, principalOf(request), request.params.id, request.query),
  });

  app.post('/webhooks/:id/deliveries/:deliveryId/resend', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'resendWebhookDelivery',
      tags: ['webhooks'],
      summary: 'Send a failed (or delivered) delivery again, now; enables a disabled subscription',
      description:
        'The delivery goes to the head of the subscription’s queue with a fresh day of retries. A delivery still `pending` answers 409.',
      params: deliveryParamsSchema,
      response: { 202: deliverySchema.describe('Queued') },
    },
    handler: async (request, reply) => {
      const delivery = await resendDelivery(app.db, principalOf(request), request.params.id, request.params.deliveryId);
      return reply.code(202).send(delivery);
    },
  });
};
