import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import type { Role } from '../../db/schema/enums.js';
import { apiKeys } from '../../db/schema/index.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

const secretPrefix = 'wdk_';

/** 256 random bits, URL-safe; the prefix makes leaked keys easy to spot in code scanning. */
export function generateSecret(): string {
  return `${secretPrefix}${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export const displayPrefix = (secret: string) => secret.slice(0, secretPrefix.length + 6);

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
      prefix: displayPrefix(values.secret),
      secretHash: hashSecret(values.secret),
      bootstrap: values.bootstrap ?? false,
    })
    .returning();
  return row as ApiKeyRow;
}

export async function findApiKeyBySecret(db: Queryable, secret: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.secretHash, hashSecret(secret)))
    .limit(1);
  return row;
}

export async function findApiKey(db: Queryable, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  return row;
}

export async function listApiKeys(
  db: Queryable,
  limit: number,
  after?: { createdAt: string; id: string },
): Promise<ApiKeyRow[]> {
  return db
    .select()
    .from(apiKeys)
    .where(
      after
        ? or(
            lt(apiKeys.createdAt, new Date(after.createdAt)),
            and(eq(apiKeys.createdAt, new Date(after.createdAt)), lt(apiKeys.id, after.id)),
          )
        : undefined,
    )
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(limit + 1);
}

export async function revokeApiKey(db: Queryable, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(eq(apiKeys.id, id))
    .returning();
  return row;
}

/** Records use at most once a minute per key, so authentication stays a single read. */
export async function touchApiKey(db: Queryable, id: string): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.id, id),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '60 seconds'`)),
      ),
    );
}

/** Revokes bootstrap keys made from an earlier ADMIN_API_KEY that is no longer configured. */
export async function revokeOtherBootstrapKeys(db: Queryable, keepHash: string | null): Promise<ApiKeyRow[]> {
  return db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.bootstrap, true),
        isNull(apiKeys.revokedAt),
        keepHash ? ne(apiKeys.secretHash, keepHash) : undefined,
      ),
    )
    .returning();
}
