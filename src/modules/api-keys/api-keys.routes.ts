import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageOf, pageQuerySchema } from '../../http/pagination.js';
import { principalOf } from '../auth/auth.plugin.js';
import { apiKeyParamsSchema, apiKeySchema, createApiKeySchema, createdApiKeySchema } from './api-keys.schemas.js';
import { issueKey, listKeys, revokeKey } from './api-keys.service.js';

const adminOnly = { roles: [] } as const;

export const apiKeysRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/api-keys', {
    config: { auth: adminOnly, noStore: true },
    schema: {
      operationId: 'createApiKey',
      tags: ['api-keys'],
      summary: 'Issue an API key; the secret is in the response once, as `key`',
      description:
        'Only a hash of the secret is stored: keep `key` now, it is never shown again (`Cache-Control: no-store`). `unitId` limits the key to that unit and everything below it; a unit-scoped admin may only issue keys within its own unit. `Location` names the key.',
      body: createApiKeySchema,
      response: { 201: createdApiKeySchema },
    },
    handler: async (request, reply) => {
      const created = await issueKey(app.db, principalOf(request), request.body);
      return reply.code(201).header('location', `/v1/api-keys/${created.id}`).send(created);
    },
  });

  app.get('/api-keys', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'listApiKeys',
      tags: ['api-keys'],
      summary: 'List API keys, newest first, without secrets',
      description:
        'Each key shows its name, role, unit scope, a short `prefix` to tell keys apart, when it was last used and whether it is revoked. An admin key without a unit sees every key; a key scoped to a unit sees the keys scoped within its subtree. Cursor paging: pass `nextCursor` as `cursor`.',
      querystring: pageQuerySchema,
      response: { 200: pageOf(apiKeySchema) },
    },
    handler: async (request) => listKeys(app.db, principalOf(request), request.query),
  });

  app.delete('/api-keys/:id', {
    config: { auth: adminOnly },
    schema: {
      operationId: 'revokeApiKey',
      tags: ['api-keys'],
      summary: 'Revoke an API key; it stops working at once, and so do the webhook subscriptions it owns',
      description:
        'The revocation is audited. A key scoped to a unit can revoke keys scoped within its subtree only. A key revoked here stays listed with `revokedAt` and stays revoked, even when it is the ADMIN_API_KEY secret and that is configured again. Its webhook subscriptions are disabled with `disabledReason: creator_revoked` until an admin who can see them enables them.',
      params: apiKeyParamsSchema,
      response: { 204: z.undefined() },
    },
    handler: async (request, reply) => {
      await revokeKey(app.db, principalOf(request), request.params.id);
      return reply.code(204).send();
    },
  });
};
