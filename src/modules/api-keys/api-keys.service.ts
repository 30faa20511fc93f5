import type { Database } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { notFound } from '../../http/problems.js';
import { type Actor, appendAudit } from '../audit/audit.service.js';
import type { Principal } from '../auth/auth.service.js';
import { findUnit } from '../units/units.repository.js';
import { principalSees } from '../units/units.service.js';
import { stopSubscriptionsOf } from '../webhooks/webhooks.service.js';
import { findApiKey, revokeApiKey } from './api-keys.repository.js';

/**
 * Revokes a key the principal may see (a scoped admin sees keys scoped within its subtree only), on
 * purpose and for good: start-up never revives it. The webhook subscriptions the key owns stop in
 * the same transaction. Revoking a revoked key changes nothing.
 */
export async function revokeKey(db: Database, principal: Principal, actor: Actor, id: string): Promise<void> {
  const existing = await findApiKey(db, id);
  if (!existing) throw notFound('API key');
  if (principal.unitId) {
    const unit = existing.unitId ? await findUnit(db, existing.unitId) : undefined;
    if (!unit || !principalSees(principal, unit)) throw notFound('API key');
  }
  await inTransaction(db, async (tx) => {
    if (!(await revokeApiKey(tx, existing.id, principal.keyId))) return;
    const stopped = await stopSubscriptionsOf(tx, existing.id);
    await appendAudit(tx, actor, [{ entityType: 'api_key', entityId: existing.id, action: 'revoked' }, ...stopped]);
  });
}
