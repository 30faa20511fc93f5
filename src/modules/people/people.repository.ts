import { createHash } from 'node:crypto';
import { and, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { olderThan } from '../../db/newest-first.js';
import { people, personInvites } from '../../db/schema/index.js';
import { unitColumnWithin } from '../units/units.repository.js';

export type PersonRow = typeof people.$inferSelect;

export async function insertPerson(db: Queryable, values: typeof people.$inferInsert): Promise<PersonRow> {
  const [row] = await db.insert(people).values(values).returning();
  return row as PersonRow;
}

export async function findPerson(db: Queryable, id: string): Promise<PersonRow | undefined> {
  const [row] = await db.select().from(people).where(eq(people.id, id)).limit(1);
  return row;
}

/** The row already holding this email or group (emails are stored in lower case), but `exceptId`. */
export async function findPersonHolding(
  db: Queryable,
  match: { email: string | null; idpGroup: string | null },
  exceptId?: string,
): Promise<PersonRow | undefined> {
  const [row] = await db
    .select()
    .from(people)
    .where(
      and(
        match.email !== null ? eq(people.email, match.email) : eq(people.idpGroup, match.idpGroup ?? ''),
        exceptId ? sql`${people.id} <> ${exceptId}` : undefined,
      ),
    )
    .limit(1);
  return row;
}

/** Every row a signed-in person matches: by their (lower-case, verified) email or any of their groups. */
export async function findPeopleMatching(
  db: Queryable,
  email: string | null,
  groups: readonly string[],
): Promise<PersonRow[]> {
  const conditions = [
    email !== null ? eq(people.email, email) : undefined,
    groups.length > 0 ? inArray(people.idpGroup, [...groups]) : undefined,
  ].filter((condition) => condition !== undefined);
  if (conditions.length === 0) return [];
  return db
    .select()
    .from(people)
    .where(or(...conditions));
}

/** A page of people, newest first; with `within`, only people scoped to that unit's subtree. */
export async function listPeople(
  db: Queryable,
  limit: number,
  after?: { createdAt: string; id: string },
  within?: string | null,
): Promise<PersonRow[]> {
  return db
    .select()
    .from(people)
    .where(
      and(within ? unitColumnWithin(people.unitId, within) : undefined, olderThan(people.createdAt, people.id, after)),
    )
    .orderBy(desc(people.createdAt), desc(people.id))
    .limit(limit + 1);
}

export async function updatePerson(
  db: Queryable,
  id: string,
  values: Pick<PersonRow, 'email' | 'idpGroup' | 'role' | 'unitId'>,
): Promise<PersonRow> {
  const [row] = await db
    .update(people)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(people.id, id))
    .returning();
  return row as PersonRow;
}

export async function deletePerson(db: Queryable, id: string): Promise<boolean> {
  const rows = await db.delete(people).where(eq(people.id, id)).returning({ id: people.id });
  return rows.length > 0;
}

const hashOfToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function insertPersonInvite(
  db: Queryable,
  personId: string,
  token: string,
  ttlSeconds: number,
): Promise<{ id: string; expiresAt: Date }> {
  const [row] = await db
    .insert(personInvites)
    .values({ personId, tokenHash: hashOfToken(token), expiresAt: sql`now() + ${ttlSeconds} * interval '1 second'` })
    .returning({ id: personInvites.id, expiresAt: personInvites.expiresAt });
  return row as { id: string; expiresAt: Date };
}

/** What an invite link would do now: `open` to sign in, or why not; undefined for an unknown token. */
export async function personInviteStatus(
  db: Queryable,
  token: string,
): Promise<'open' | 'used' | 'expired' | undefined> {
  const [row] = await db
    .select({ usedAt: personInvites.usedAt, live: sql<boolean>`${personInvites.expiresAt} > now()` })
    .from(personInvites)
    .where(eq(personInvites.tokenHash, hashOfToken(token)))
    .limit(1);
  if (!row) return undefined;
  return row.usedAt ? 'used' : row.live ? 'open' : 'expired';
}

/** Spends a live invite once; answers the person row it signs in as, or undefined when it cannot. */
export async function spendPersonInvite(db: Queryable, token: string): Promise<PersonRow | undefined> {
  const [spent] = await db
    .update(personInvites)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(personInvites.tokenHash, hashOfToken(token)),
        isNull(personInvites.usedAt),
        gt(personInvites.expiresAt, sql`now()`),
      ),
    )
    .returning({ personId: personInvites.personId });
  return spent ? findPerson(db, spent.personId) : undefined;
}
