import { createHash } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { apiKeys } from '../../db/schema/index.js';

// What authentication reads and writes of a key; key management (modules/api-keys) owns the rest.
export type ApiKeyRow = typeof apiKeys.$inferSelect;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export async function findApiKeyBySecret(db: Queryable, secret: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.secretHash, hashSecret(secret)))
    .limit(1);
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
