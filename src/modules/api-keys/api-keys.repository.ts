import { randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { olderThan } from '../../db/newest-first.js';
import type { Role } from '../../db/schema/enums.js';
import { apiKeys } from '../../db/schema/index.js';
import { type ApiKeyRow, hashSecret } from '../auth/auth.repository.js';
import { unitColumnWithin } from '../units/units.repository.js';

const secretPrefix = 'wdk_';

/** 256 random bits, URL-safe; the prefix makes leaked keys easy to spot in code scanning. */
export function generateSecret(): string {
  return `${secretPrefix}${randomBytes(32).toString('base64url')}`;
}

export const displayPrefix = (secret: string) => secret.slice(0, secretPrefix.length + 6);

/**
 * The bootstrap key's tag: ADMIN_API_KEY is chosen by a person, so no part of it is shown; the tag
 * comes from its hash and still tells one configured secret from the next.
 */
export const bootstrapPrefix = (secretHash: string) => `env_${secretHash.slice(0, 8)}`;

export async function insertApiKey(
  db: Queryable,
  values: { name: string; role: Role; unitId: string | null; secret: string; bootstrap?: boolean },
): Promise<ApiKeyRow> {
  const [row] = await db
    .insert(apiKeys)
    .values({
      name: values.name,
      role: values.role,
      unitId: values.unitId,
      prefix: values.bootstrap ? bootstrapPrefix(hashSecret(values.secret)) : displayPrefix(values.secret),
      secretHash: hashSecret(values.secret),
      bootstrap: values.bootstrap ?? false,
    })
    .returning();
  return row as ApiKeyRow;
}

export async function findApiKey(db: Queryable, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  return row;
}

/** A page of keys, newest first; with `within`, only keys scoped to that unit's subtree. */
export async function listApiKeys(
  db: Queryable,
  limit: number,
  after?: { createdAt: string; id: string },
  within?: string | null,
): Promise<ApiKeyRow[]> {
  return db
    .select()
    .from(apiKeys)
    .where(
      and(
        within ? unitColumnWithin(apiKeys.unitId, within) : undefined,
        olderThan(apiKeys.createdAt, apiKeys.id, after),
      ),
    )
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(limit + 1);
}

/** Revokes a key on an admin's say; revoking a revoked key changes nothing. */
export async function revokeApiKey(db: Queryable, id: string, byKeyId: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()`, revokedReason: 'admin', revokedByKeyId: byKeyId })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  return row;
}

/** Revokes bootstrap keys made from an earlier ADMIN_API_KEY that is no longer configured. */
export async function revokeOtherBootstrapKeys(db: Queryable, keepHash: string | null): Promise<ApiKeyRow[]> {
  return db
    .update(apiKeys)
    .set({ revokedAt: sql`now()`, revokedReason: 'bootstrap' })
    .where(
      and(
        eq(apiKeys.bootstrap, true),
        isNull(apiKeys.revokedAt),
        keepHash ? ne(apiKeys.secretHash, keepHash) : undefined,
      ),
    )
    .returning();
}

/** Brings back a bootstrap key that start-up itself revoked; one an admin revoked stays revoked. */
export async function reviveBootstrapKey(db: Queryable, id: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: null, revokedReason: null })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.bootstrap, true), eq(apiKeys.revokedReason, 'bootstrap')))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/** Replaces the secret-derived prefix that earlier versions stored on bootstrap keys. */
export async function retagBootstrapKeys(db: Queryable): Promise<void> {
  const rows = await db
    .select({ id: apiKeys.id, prefix: apiKeys.prefix, secretHash: apiKeys.secretHash })
    .from(apiKeys)
    .where(eq(apiKeys.bootstrap, true));
  for (const row of rows) {
    const tag = bootstrapPrefix(row.secretHash);
    if (row.prefix !== tag) await db.update(apiKeys).set({ prefix: tag }).where(eq(apiKeys.id, row.id));
  }
}

/** True when some unrevoked admin key without a unit scope exists: someone can manage the trust. */
export async function liveTrustAdminExists(db: Queryable): Promise<boolean> {
  const rows = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.role, 'admin'), isNull(apiKeys.unitId), isNull(apiKeys.revokedAt)))
    .limit(1);
  return rows.length > 0;
}
