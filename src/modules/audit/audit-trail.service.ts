import type { Database } from '../../db/client.js';
import type { Reads } from '../../db/replica.js';
import { cursorKeys, decodeCursor, toPage } from '../../http/pagination.js';
import { forbidden } from '../../http/problems.js';
import type { Principal } from '../auth/auth.service.js';
import { type AuditEventRow, listAuditEvents, verifyAuditChain } from './audit.repository.js';
import type { AuditEvent, AuditVerification, ListAuditQuery } from './audit.schemas.js';

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

/**
 * A page of the audit trail, newest first, for a key without a unit scope; from the replica when it is
 * fresh enough, since the trail only grows and its readers (auditors) make none of its events but reads.
 */
export async function listAuditTrail(reads: Reads, principal: Principal, query: ListAuditQuery) {
  // Events span every unit and cannot all be tied to one subtree, so the trail is for unscoped keys.
  if (principal.unitId) {
    throw forbidden('The audit trail covers the whole service: use a key without a unit scope');
  }
  const { limit, cursor, ...filters } = query;
  const before = decodeCursor(cursor, cursorKeys.sequence)?.[0];
  const { value: rows, dataAsOf } = await reads.fromReplica((db) => listAuditEvents(db, filters, limit, before));
  return { page: toPage(rows, limit, toAuditEvent, (row) => [row.seq]), dataAsOf };
}

/** Walks the whole chain from the first event; `ok` when every hash matches. */
export async function verifyAuditTrail(db: Database): Promise<AuditVerification> {
  const { checked, firstBrokenSeq, firstKeyedSeq } = await verifyAuditChain(db);
  return { ok: firstBrokenSeq === null, checked, firstBrokenSeq, firstKeyedSeq };
}
