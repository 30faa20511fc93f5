import { createHash } from 'node:crypto';
import { and, eq, gt, lte, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { signInAttempts } from '../../db/schema/index.js';
import type { SignInSecrets } from './console.oidc.js';

/** Attempt ids are 256-bit random, so a plain SHA-256 keeps a copy of the table from completing one. */
const hashOf = (attemptId: string) => createHash('sha256').update(attemptId).digest('hex');

export async function insertSignInAttempt(
  db: Queryable,
  attemptId: string,
  secrets: SignInSecrets,
  ttlSeconds: number,
): Promise<void> {
  await db.insert(signInAttempts).values({
    idHash: hashOf(attemptId),
    state: secrets.state,
    nonce: secrets.nonce,
    codeVerifier: secrets.codeVerifier,
    expiresAt: sql`now() + ${ttlSeconds} * interval '1 second'`,
  });
}

/** Takes a live attempt out of the table, so it completes at most once; undefined when spent or expired. */
export async function takeSignInAttempt(db: Queryable, attemptId: string): Promise<SignInSecrets | undefined> {
  const [row] = await db
    .delete(signInAttempts)
    .where(and(eq(signInAttempts.idHash, hashOf(attemptId)), gt(signInAttempts.expiresAt, sql`now()`)))
    .returning({ state: signInAttempts.state, nonce: signInAttempts.nonce, codeVerifier: signInAttempts.codeVerifier });
  return row;
}

/** Removes attempts no one finished (they already refuse use; this only keeps the table small). */
export async function deleteExpiredSignInAttempts(db: Queryable): Promise<void> {
  await db.delete(signInAttempts).where(lte(signInAttempts.expiresAt, sql`now()`));
}
