import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inTransaction } from '../../db/transaction.js';
import { cursorKeys, decodeCursor, pageOf, pageQuerySchema, toPage } from '../../http/pagination.js';
import { HttpProblem, invalidField } from '../../http/problems.js';
import { appendAudit } from '../audit/audit.service.js';
import { principalOf } from '../auth/auth.plugin.js';
import type { ApiKeyRow } from '../auth/auth.repository.js';
import { actorOf } from '../auth/auth.service.js';
import { findUnit } from '../units/units.repository.js';
import { principalSees } from '../units/units.service.js';
import { generateSecret, insertApiKey, listApiKeys } from './api-keys.repository.js';
import {
  type ApiKey,
  apiKeyParamsSchema,
  apiKeySchema,
  createApiKeySchema,
  createdApiKeySchema,
} from './api-keys.schemas.js';
import { revokeKey } from './api-keys.service.js';

const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  role: row.role,
  unitId: row.unitId,
  prefix: row.prefix,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
  revokedReason: row.revokedReason,
});

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
      const principal = principalOf(request);
      const { name, role, unitId = null } = request.body;
      if (unitId) {
        const unit = await findUnit(app.db, unitId);
        if (!unit || !principalSees(principal, unit)) throw invalidField('/unitId', 'No such unit');
      } else if (principal.unitId) {
        throw new HttpProblem('forbidden', 'A key scoped to a unit can only issue keys within that unit');
      }
      const secret = generateSecret();
      const row = await inTransaction(app.db, async (tx) => {
        const created = await insertApiKey(tx, { name, role, unitId, secret });
        await appendAudit(tx, actorOf(principal), {
          entityType: 'api_key',
          entityId: created.id,
          action: 'created',
          details: { name, role, unitId },
        });
        return created;
      });
      return reply
        .code(201)
        .header('location', `/v1/api-keys/${row.id}`)
        .send({ ...toApiKey(row), key: secret });
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
    handler: async (request) => {
      const { limit, cursor } = request.query;
      const after = decodeCursor(cursor, cursorKeys.timeAndId);
      const rows = await listApiKeys(
        app.db,
        limit,
        after && { createdAt: after[0], id: after[1] },
        principalOf(request).unitId,
      );
      return toPage(rows, limit, toApiKey, (row) => [row.createdAt.toISOString(), row.id]);
    },
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
      const principal = principalOf(request);
      await revokeKey(app.db, principal, actorOf(principal), request.params.id);
      return reply.code(204).send();
    },
  });
};
