import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { olderThan } from '../../db/newest-first.js';
import { reviewInvites } from '../../db/schema/index.js';
import { unitColumnWithin } from '../units/units.repository.js';

export type ReviewInviteRow = typeof reviewInvites.$inferSelect;

/** Tokens are 256-bit random, so a plain SHA-256 is enough to keep a copy of the table from signing anyone in. */
export const tokenHashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export const generateInviteToken = () => randomBytes(32).toString('base64url');

export async function insertReviewInvite(
  db: Queryable,
  values: { token: string; name: string | null; unitId: string; createdByKeyId: string | null; ttlHours: number },
): Promise<ReviewInviteRow> {
  const [row] = await db
    .insert(reviewInvites)
    .values({
      tokenHash: tokenHashOf(values.token),
      name: values.name,
      unitId: values.unitId,
      createdByKeyId: values.createdByKeyId,
      expiresAt: sql`now() + ${values.ttlHours} * interval '1 hour'`,
    })
    .returning();
  return row!;
}

export async function findReviewInvite(db: Queryable, id: string): Promise<ReviewInviteRow | undefined> {
  const [row] = await db.select().from(reviewInvites).where(eq(reviewInvites.id, id)).limit(1);
  return row;
}

/** The invite a link's token names, locked so two clicks at once cannot both spend it. */
export async function lockReviewInviteByToken(db: Queryable, token: string): Promise<ReviewInviteRow | undefined> {
  const [row] = await db
    .select()
    .from(reviewInvites)
    .where(eq(reviewInvites.tokenHash, tokenHashOf(token)))
    .for('update')
    .limit(1);
  return row;
}

/** Spends an open invite; answers whether it was (false: used, revoked or expired meanwhile). */
export async function spendReviewInvite(db: Queryable, id: string): Promise<boolean> {
  const rows = await db
    .update(reviewInvites)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(reviewInvites.id, id),
        isNull(reviewInvites.usedAt),
        isNull(reviewInvites.revokedAt),
        sql`${reviewInvites.expiresAt} > now()`,
      ),
    )
    .returning({ id: reviewInvites.id });
  return rows.length > 0;
}

/** Revokes an invite; the database ends its sessions in the same statement. Revoking twice changes nothing. */
export async function revokeReviewInvite(db: Queryable, id: string): Promise<boolean> {
  const rows = await db
    .update(reviewInvites)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(reviewInvites.id, id), isNull(reviewInvites.revokedAt)))
    .returning({ id: reviewInvites.id });
  return rows.length > 0;
}

export async function listReviewInvites(
  db: Queryable,
  limit: number,
  after?: { createdAt: string; id: string },
  within?: string | null,
): Promise<ReviewInviteRow[]> {
  return db
    .select()
    .from(reviewInvites)
    .where(
      and(
        within ? unitColumnWithin(reviewInvites.unitId, within) : undefined,
        olderThan(reviewInvites.createdAt, reviewInvites.id, after),
      ),
    )
    .orderBy(desc(reviewInvites.createdAt), desc(reviewInvites.id))
    .limit(limit + 1);
}
