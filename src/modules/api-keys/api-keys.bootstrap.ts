import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { type AuditEntry, appendAudit, systemActor } from '../audit/audit.service.js';
import { findApiKeyBySecret, hashSecret } from '../auth/auth.repository.js';
import { resumeSubscriptionsOf, stopSubscriptionsOf } from '../webhooks/webhooks.service.js';
import {
  insertApiKey,
  liveTrustAdminExists,
  retagBootstrapKeys,
  reviveBootstrapKey,
  revokeOtherBootstrapKeys,
} from './api-keys.repository.js';

/** Where start-up says what it did to the bootstrap key. */
export type StartupLog = Pick<FastifyBaseLogger, 'warn'>;

/**
 * Makes the ADMIN_API_KEY secret a live admin key, so a fresh install can be driven at once. The
 * rule: the configured secret works while it is configured. A bootstrap key of another secret (or of
 * any, when none is configured) is revoked, its revocation logged and audited, and revived if that
 * secret is configured again; a key an admin revoked through the API is never revived. Subscriptions
 * follow their key: stopped with it, resumed with it. One warning line says when no unscoped admin
 * key is left.
 */
export async function ensureBootstrapAdmin(db: Database, secret: string | undefined, log: StartupLog): Promise<void> {
  await inTransaction(db, async (tx) => {
    await retagBootstrapKeys(tx);
    const revoked = await revokeOtherBootstrapKeys(tx, secret ? hashSecret(secret) : null);
    const audit: AuditEntry[] = [];
    for (const row of revoked) {
      const reason = secret ? 'replaced' : 'unset';
      log.warn(
        { keyId: row.id, prefix: row.prefix },
        secret
          ? 'ADMIN_API_KEY has changed: the bootstrap admin key of the previous secret is revoked'
          : 'ADMIN_API_KEY is not set: the bootstrap admin key is revoked until that secret is configured again',
      );
      audit.push(
        { entityType: 'api_key', entityId: row.id, action: 'revoked', details: { bootstrap: true, reason } },
        ...(await stopSubscriptionsOf(tx, row.id)),
      );
    }
    const existing = secret ? await findApiKeyBySecret(tx, secret) : undefined;
    if (secret && !existing) {
      const row = await insertApiKey(tx, {
        name: 'Bootstrap admin (ADMIN_API_KEY)',
        role: 'admin',
        unitId: null,
        secret,
        bootstrap: true,
      });
      audit.push({ entityType: 'api_key', entityId: row.id, action: 'created', details: { bootstrap: true } });
    } else if (existing?.revokedAt) {
      if (await reviveBootstrapKey(tx, existing.id)) {
        audit.push(
          { entityType: 'api_key', entityId: existing.id, action: 'revived', details: { bootstrap: true } },
          ...(await resumeSubscriptionsOf(tx, existing.id)),
        );
      } else {
        log.warn(
          { keyId: existing.id, prefix: existing.prefix },
          'ADMIN_API_KEY names a key an admin revoked: it stays revoked; configure a new secret or use another admin key',
        );
      }
    }
    await appendAudit(tx, systemActor, audit);
  });
  if (!(await liveTrustAdminExists(db))) {
    log.warn(
      'No admin key without a unit scope exists, so no one can manage keys or the trust: set ADMIN_API_KEY and restart',
    );
  }
}
