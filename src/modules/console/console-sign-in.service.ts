import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { findPeopleMatching, type PersonRow, spendPersonInvite } from '../people/people.repository.js';
import { mostPrivileged } from '../people/people.service.js';
import type { IdentityProvider, SignedInClaims } from './console.oidc.js';
import { deleteExpiredSignInAttempts, insertSignInAttempt, takeSignInAttempt } from './console-sign-in.repository.js';

/** How long a person has at the identity provider before the sign-in must start again. */
export const signInAttemptSeconds = 600;

/**
 * Starts a sign-in: its secrets kept server-side under a new random attempt id (the browser holds
 * it in a short-lived cookie), and the provider's URL to send the browser to. `unreachable` when the
 * provider's discovery document cannot be had.
 */
export async function beginSignIn(
  db: Database,
  provider: IdentityProvider,
): Promise<{ attemptId: string; url: string } | { unreachable: unknown }> {
  await deleteExpiredSignInAttempts(db);
  let begun: Awaited<ReturnType<IdentityProvider['begin']>>;
  try {
    begun = await provider.begin();
  } catch (cause) {
    return { unreachable: cause };
  }
  const attemptId = randomBytes(32).toString('base64url');
  await insertSignInAttempt(db, attemptId, begun.secrets, signInAttemptSeconds);
  return { attemptId, url: begun.url };
}

/** Why a callback signs no one in, in the words its page uses. */
export type SignInRefusal =
  | { reason: 'no_attempt' }
  | { reason: 'provider_error' }
  | { reason: 'no_access'; email: string | null };

/** The name a session is audited under: the person's name with their address, when there is one. */
const auditName = (claims: SignedInClaims) =>
  claims.email && claims.name !== claims.email ? `${claims.name} (${claims.email})` : claims.name;

/**
 * Completes a sign-in from the provider's callback: the attempt is spent whatever happens, the code
 * redeemed and the ID token validated (openid-client), and the person matched to the most
 * privileged person row. Answers the principal the session carries (a key of that row's role and
 * scope, audited as this person), or why not. Signing in is audited; a refusal writes nothing.
 */
export async function completeSignIn(
  db: Database,
  provider: IdentityProvider,
  attemptId: string | undefined,
  query: string,
): Promise<{ principal: Principal } | { refused: SignInRefusal; cause?: unknown }> {
  const secrets = attemptId ? await takeSignInAttempt(db, attemptId) : undefined;
  if (!secrets) return { refused: { reason: 'no_attempt' } };
  let claims: SignedInClaims;
  try {
    claims = await provider.finish(query, secrets);
  } catch (cause) {
    return { refused: { reason: 'provider_error' }, cause };
  }
  const person = mostPrivileged(await findPeopleMatching(db, claims.email, claims.groups));
  if (!person) return { refused: { reason: 'no_access', email: claims.email } };
  const principal = await startedSession(db, person, auditName(claims), {
    via: person.email !== null ? 'email' : 'group',
    subject: claims.subject,
  });
  return { principal };
}

/** The principal a session of this person row carries (a key of its role and scope); the sign-in audited. */
async function startedSession(
  db: Database,
  person: PersonRow,
  name: string,
  details: Record<string, unknown>,
): Promise<Principal> {
  const principal: Principal = {
    keyId: person.id,
    name,
    role: person.role,
    unitId: person.unitId,
    session: { kind: 'person', id: person.id },
  };
  await inTransaction(db, (tx) =>
    appendAudit(tx, actorOf(principal), { entityType: 'person', entityId: person.id, action: 'signed_in', details }),
  );
  return principal;
}

/** Spends a person's invite link: the principal its session carries, or undefined when it is used, expired or unknown. */
export async function spendInvite(db: Database, token: string): Promise<Principal | undefined> {
  const person = await spendPersonInvite(db, token);
  if (!person?.email) return undefined;
  return startedSession(db, person, person.email, { via: 'invite' });
}

/** Records a sign-out in the audit trail, as the session that ended. */
export async function auditConsoleSignOut(db: Database, principal: Principal): Promise<void> {
  if (principal.session?.kind !== 'person') return;
  const personId = principal.session.id;
  await inTransaction(db, (tx) =>
    appendAudit(tx, actorOf(principal), { entityType: 'person', entityId: personId, action: 'signed_out' }),
  );
}
