import { createHash } from 'node:crypto';
import { and, eq, gt, lte, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { type sessionSubjectKinds, sessions } from '../../db/schema/index.js';

export type SessionSubjectKind = (typeof sessionSubjectKinds)[number];

/** Session ids are 256-bit random, so a plain SHA-256 keeps a copy of the table from signing anyone in. */
const hashOf = (sessionId: string) => createHash('sha256').update(sessionId).digest('hex');

export interface StoredSession {
  subjectKind: SessionSubjectKind;
  subjectId: string;
  data: Record<string, unknown>;
  /** When the person signed in: the absolute expiry counts from here, across id rotations. */
  signedInAt: Date;
}

/**
 * Writes a session under its id. The idle expiry starts again; the absolute one is fixed by the
 * sign-in time, so rotating the id never lengthens a session. A revoked subject's session is refused
 * by the database (sessions_subject_live), which the caller sees as an error.
 */
export async function saveSession(
  db: Queryable,
  sessionId: string,
  session: StoredSession,
  limits: { idleSeconds: number; maxSeconds: number },
): Promise<void> {
  const absolute = sql`${session.signedInAt.toISOString()}::timestamptz + ${limits.maxSeconds} * interval '1 second'`;
  await db
    .insert(sessions)
    .values({
      idHash: hashOf(sessionId),
      subjectKind: session.subjectKind,
      subjectId: session.subjectId,
      data: session.data,
      createdAt: session.signedInAt,
      idleExpiresAt: sql`least(now() + ${limits.idleSeconds} * interval '1 second', ${absolute})`,
      absoluteExpiresAt: absolute,
    })
    .onConflictDoUpdate({
      target: sessions.idHash,
      set: {
        data: session.data,
        idleExpiresAt: sql`least(now() + ${limits.idleSeconds} * interval '1 second', ${sessions.absoluteExpiresAt})`,
      },
    });
}

/** A live session's data, its idle expiry slid forward by this use; undefined once it has ended. */
export async function useSession(
  db: Queryable,
  sessionId: string,
  idleSeconds: number,
): Promise<Record<string, unknown> | undefined> {
  const [row] = await db
    .update(sessions)
    .set({ idleExpiresAt: sql`least(now() + ${idleSeconds} * interval '1 second', ${sessions.absoluteExpiresAt})` })
    .where(
      and(
        eq(sessions.idHash, hashOf(sessionId)),
        gt(sessions.idleExpiresAt, sql`now()`),
        gt(sessions.absoluteExpiresAt, sql`now()`),
      ),
    )
    .returning({ data: sessions.data });
  return row?.data;
}

export async function deleteSession(db: Queryable, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, hashOf(sessionId)));
}

/** Removes ended sessions (they already refuse use; this only keeps the table small). */
export async function deleteEndedSessions(db: Queryable): Promise<void> {
  await db
    .delete(sessions)
    .where(or(lte(sessions.idleExpiresAt, sql`now()`), lte(sessions.absoluteExpiresAt, sql`now()`)));
}

/** How many live sessions each subject holds, for listings such as the invites'. */
export async function liveSessionCounts(db: Queryable, kind: SessionSubjectKind): Promise<Map<string, number>> {
  const rows = await db
    .select({ subjectId: sessions.subjectId, count: sql<number>`count(*)::int` })
    .from(sessions)
    .where(
      and(
        eq(sessions.subjectKind, kind),
        gt(sessions.idleExpiresAt, sql`now()`),
        gt(sessions.absoluteExpiresAt, sql`now()`),
      ),
    )
    .groupBy(sessions.subjectId);
  return new Map(rows.map((row) => [row.subjectId, row.count]));
}
