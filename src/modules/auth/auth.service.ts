import type { Database } from '../../db/client.js';
import type { Role } from '../../db/schema/enums.js';
import { forbidden } from '../../http/problems.js';
import { findApiKeyBySecret, touchApiKey } from './auth.repository.js';

/** The caller behind a request, resolved from its API key. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  /** When set, the key sees this unit and its descendants only. */
  unitId: string | null;
}

/** The principal as the audit trail names it (an audit `Actor`; typed by shape, since audit sits above auth). */
export const actorOf = (principal: Principal) => ({ keyId: principal.keyId, name: principal.name });

/**
 * Trust-wide settings (the theme vocabulary, safeguarding phrases) are for admin keys without a unit
 * scope: a site's admin must not change what every other site uses. A scoped key gets a 403 saying so.
 */
export function requireUnscoped(principal: Principal, setting: string): void {
  if (principal.unitId) {
    throw forbidden(`${setting} is shared by the whole trust: only an admin key without a unit scope may change it`);
  }
}

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
