import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { dataAsOfHeader, sendsDataAsOf } from '../../http/data-as-of.js';
import { pageOf } from '../../http/pagination.js';
import { principalOf } from '../auth/auth.plugin.js';
import { auditEventSchema, auditVerificationSchema, listAuditQuerySchema } from './audit.schemas.js';
import { listAuditTrail, verifyAuditTrail } from './audit-trail.service.js';

const auditors = { roles: ['auditor'] } as const;

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/audit', {
    config: { auth: auditors },
    schema: {
      operationId: 'listAuditEvents',
      tags: ['audit'],
      summary: 'The audit trail, newest first (descending `seq`), filtered by entity, actor and time',
      description: 'For keys without a unit scope: events span the whole service.',
      querystring: listAuditQuerySchema,
      response: {
        200: {
          description: 'A page of the trail; `Data-As-Of` says how fresh it is',
          headers: dataAsOfHeader,
          content: { 'application/json': { schema: pageOf(auditEventSchema) } },
        },
      },
    },
    handler: async (request, reply) => {
      const { page, dataAsOf } = await listAuditTrail(app.reads, principalOf(request), request.query);
      return sendsDataAsOf(reply, dataAsOf).send(page);
    },
  });

  app.get('/audit/verify', {
    config: { auth: auditors },
    schema: {
      operationId: 'verifyAuditChain',
      tags: ['audit'],
      summary: 'Recompute the hash chain and report the first event that does not match',
      description:
        'Walks the whole trail from the first event: `ok` is true when every event’s hash matches its content and the hash before it; otherwise `firstBrokenSeq` names where the chain breaks. Events of every chain version are checked: 1 (before length-prefixed fields), 2 (SHA-256 over length-prefixed fields) and 3 (HMAC-SHA256 under `AUDIT_HMAC_KEY`). Keyed events verify only when this service holds the same key.',
      response: { 200: auditVerificationSchema },
    },
    handler: async () => verifyAuditTrail(app.db),
  });
};
