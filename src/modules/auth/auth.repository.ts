import { createHash } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client.js';
import { type PreparedQuery, preparedRows } from '../../db/rows.js';
import type { Role } from '../../db/schema/enums.js';
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

/** What authenticating a request reads of its key. */
export interface AuthenticatedKeyRow {
  id: string;
  name: string;
  role: Role;
  unitId: string | null;
  revokedAt: Date | null;
}

const keyBySecretQuery: PreparedQuery = {
  name: 'api_key_by_secret',
  text: 'select id, name, role, unit_id as "unitId", revoked_at as "revokedAt" from api_keys where secret_hash = $1',
};

/**
 * The key of a request's secret, as a prepared statement (`preparedRows`): every request with a key
 * reads it, and through drizzle its building and parsing cost more than the read.
 */
export async function findKeyForRequest(db: Database, secret: string): Promise<AuthenticatedKeyRow | undefined> {
  const [row] = await preparedRows<AuthenticatedKeyRow>(db, keyBySecretQuery, [hashSecret(secret)]);
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
