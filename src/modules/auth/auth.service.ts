import type { Database } from '../../db/client.js';
import type { Role } from '../../db/schema/enums.js';
import { forbidden } from '../../http/problems.js';
import { findKeyForRequest, touchApiKey } from './auth.repository.js';

/** What a browser session hangs from: the invite that signed a reviewer in, or a console person row. */
export interface SessionSubject {
  kind: 'review_invite' | 'person';
  id: string;
}

/**
 * The caller behind a request, resolved from its API key or from a signed-in session. A session's
 * principal has the role and scope a key would have, so every service treats the two alike.
 */
export interface Principal {
  /** The API key's id; for a session, its subject's id (no API key is behind it). */
  keyId: string;
  name: string;
  role: Role;
  /** When set, the key sees this unit and its descendants only. */
  unitId: string | null;
  /** Set when a browser session, not an API key, is behind the request. */
  session?: SessionSubject;
}

const subjectWords: Record<SessionSubject['kind'], string> = { review_invite: 'invite', person: 'person' };

/**
 * The principal as the audit trail names it (an audit `Actor`; typed by shape, since audit sits above
 * auth). A session is named with its subject, e.g. `Sam (session of invite 4f…)`, and no key id.
 */
export const actorOf = (principal: Principal) =>
  principal.session
    ? {
        keyId: null,
        name: `${principal.name} (session of ${subjectWords[principal.session.kind]} ${principal.session.id})`,
      }
    : { keyId: principal.keyId, name: principal.name };

/** The API key behind a principal, or null for a browser session (for columns that reference api_keys). */
export const apiKeyIdOf = (principal: Principal): string | null => (principal.session ? null : principal.keyId);

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
  const row = await findKeyForRequest(db, secret);
  if (!row || row.revokedAt) return undefined;
  const now = Date.now();
  if ((touchedAt.get(row.id) ?? 0) < now - 60_000) {
    touchedAt.set(row.id, now);
    await touchApiKey(db, row.id);
  }
  return { keyId: row.id, name: row.name, role: row.role, unitId: row.unitId };
}
