import type { Database } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { afterTimeAndId, timeAndIdPage } from '../../http/pagination.js';
import { HttpProblem, invalidField, notFound } from '../../http/problems.js';
import { appendAudit } from '../audit/audit.service.js';
import type { ApiKeyRow } from '../auth/auth.repository.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { findUnit } from '../units/units.repository.js';
import { principalSees } from '../units/units.service.js';
import { stopSubscriptionsOf } from '../webhooks/webhooks.service.js';
import { findApiKey, generateSecret, insertApiKey, listApiKeys, revokeApiKey } from './api-keys.repository.js';
import type { ApiKey, CreateApiKey } from './api-keys.schemas.js';

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

/**
 * Issues a key within the principal's scope (a unit-scoped admin only within its own unit), audited.
 * Answers the key with its secret, which only a hash of is stored: this is the one time it is seen.
 */
export async function issueKey(
  db: Database,
  principal: Principal,
  input: CreateApiKey,
): Promise<ApiKey & { key: string }> {
  const { name, role, unitId = null } = input;
  if (unitId) {
    const unit = await findUnit(db, unitId);
    if (!unit || !principalSees(principal, unit)) throw invalidField('/unitId', 'No such unit');
  } else if (principal.unitId) {
    throw new HttpProblem('forbidden', 'A key scoped to a unit can only issue keys within that unit');
  }
  const secret = generateSecret();
  const row = await inTransaction(db, async (tx) => {
    const created = await insertApiKey(tx, { name, role, unitId, secret });
    await appendAudit(tx, actorOf(principal), {
      entityType: 'api_key',
      entityId: created.id,
      action: 'created',
      details: { name, role, unitId },
    });
    return created;
  });
  return { ...toApiKey(row), key: secret };
}

/** A page of the keys the principal may see, newest first; a scoped admin sees keys within its subtree. */
export async function listKeys(
  db: Database,
  principal: Principal,
  query: { limit: number; cursor?: string | undefined },
) {
  const { limit, cursor } = query;
  const after = afterTimeAndId(cursor, 'createdAt');
  const rows = await listApiKeys(db, limit, after, principal.unitId);
  return timeAndIdPage(rows, limit, 'createdAt', toApiKey);
}

/**
 * Revokes a key the principal may see (a scoped admin sees keys scoped within its subtree only), on
 * purpose and for good: start-up never revives it. The webhook subscriptions the key owns stop in
 * the same transaction. Revoking a revoked key changes nothing.
 */
export async function revokeKey(db: Database, principal: Principal, id: string): Promise<void> {
  const existing = await findApiKey(db, id);
  if (!existing) throw notFound('API key');
  if (principal.unitId) {
    const unit = existing.unitId ? await findUnit(db, existing.unitId) : undefined;
    if (!unit || !principalSees(principal, unit)) throw notFound('API key');
  }
  await inTransaction(db, async (tx) => {
    if (!(await revokeApiKey(tx, existing.id, principal.keyId))) return;
    const stopped = await stopSubscriptionsOf(tx, existing.id);
    await appendAudit(tx, actorOf(principal), [
      { entityType: 'api_key', entityId: existing.id, action: 'revoked' },
      ...stopped,
    ]);
  });
}
