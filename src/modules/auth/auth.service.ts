import type { Database } from '../../db/client.js';
import type { Role } from '../../db/schema/enums.js';
import { type Actor, appendAudit, systemActor } from '../audit/audit.service.js';
import {
  findApiKeyBySecret,
  hashSecret,
  insertApiKey,
  revokeOtherBootstrapKeys,
  touchApiKey,
} from './api-keys.repository.js';

/** The caller behind a request, resolved from its API key. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  /** When set, the key sees this unit and its descendants only. */
  unitId: string | null;
}

export const actorOf = (principal: Principal): Actor => ({ keyId: principal.keyId, name: principal.name });

const touchedAt = new Map<string, number>();

/** Resolves a bearer secret to a live key, or undefined for an unknown or revoked one. */
export async function authenticate(db: Database, secret: string): Promise<Principal | undefined> {
  const row = await findApiKeyBySecret(db, secret);
  if (!row || row.revokedAt) return undefined;
  const now = Date.now();
  if ((touchedAt.get(row.id) ?? 0) < now - 60_000) {
    touchedAt.set(row.id, now);
    await touchApiKey(db, row.id);
  }
  return { keyId: row.id, name: row.name, role: row.role, unitId: row.unitId };
}

/**
 * Makes the ADMIN_API_KEY secret a live admin key, so a fresh install can be driven at once.
 * A bootstrap key from an earlier, different secret is revoked.
 */
export async function ensureBootstrapAdmin(db: Database, secret: string | undefined): Promise<void> {
  await db.transaction(async (tx) => {
    const keepHash = secret ? hashSecret(secret) : null;
    const revoked = await revokeOtherBootstrapKeys(tx, keepHash);
    const existing = secret ? await findApiKeyBySecret(tx, secret) : undefined;
    const audit = revoked.map((row) => ({
      entityType: 'api_key' as const,
      entityId: row.id,
      action: 'revoked',
      details: { bootstrap: true },
    }));
    if (secret && !existing) {
      const row = await insertApiKey(tx, {
        name: 'Bootstrap admin (ADMIN_API_KEY)',
        role: 'admin',
        unitId: null,
        secret,
        bootstrap: true,
      });
      audit.push({ entityType: 'api_key', entityId: row.id, action: 'created', details: { bootstrap: true } });
    }
    await appendAudit(tx, systemActor, audit);
  });
}
