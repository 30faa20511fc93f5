import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { cursorKeys, decodeCursor, pageOf, toPage } from '../../http/pagination.js';
import { forbidden } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import { type AuditEventRow, listAuditEvents, verifyAuditChain } from './audit.repository.js';
import { type AuditEvent, auditEventSchema, auditVerificationSchema, listAuditQuerySchema } from './audit.schemas.js';

const auditors = { roles: ['auditor'] } as const;

const toAuditEvent = (row: AuditEventRow): AuditEvent => ({
  seq: row.seq,
  occurredAt: row.occurredAt.toISOString(),
  actorKeyId: row.actorKeyId,
  actorName: row.actorName,
  entityType: row.entityType,
  entityId: row.entityId,
  action: row.action,
  details: row.details,
  prevHash: row.prevHash,
  hash: row.hash,
  chainVersion: row.chainVersion,
});

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/audit', {
    config: { auth: auditors },
    schema: {
      operationId: 'listAuditEvents',
      tags: ['audit'],
      summary: 'The audit trail, newest first (descending `seq`), filtered by entity, actor and time',
      description: 'For keys without a unit scope: events span the whole service.',
      querystring: listAuditQuerySchema,
      response: { 200: pageOf(auditEventSchema) },
    },
    handler: async (request) => {
      // Events span every unit and cannot all be tied to one subtree, so the trail is for unscoped keys.
      if (principalOf(request).unitId) {
        throw forbidden('The audit trail covers the whole service: use a key without a unit scope');
      }
      const { limit, cursor, ...filters } = request.query;
      const before = decodeCursor(cursor, cursorKeys.sequence)?.[0];
      const rows = await listAuditEvents(app.db, filters, limit, before);
      return toPage(rows, limit, toAuditEvent, (row) => [row.seq]);
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
    handler: async () => {
      const { checked, firstBrokenSeq, firstKeyedSeq } = await verifyAuditChain(app.db);
      return { ok: firstBrokenSeq === null, checked, firstBrokenSeq, firstKeyedSeq };
    },
  });
};
