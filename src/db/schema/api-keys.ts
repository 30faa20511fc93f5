import { sql } from 'drizzle-orm';
import { type AnyPgColumn, boolean, check, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { keyRevocationReasons, roles, sqlList } from './enums.js';
import { units } from './units.js';

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    role: text({ enum: roles }).notNull(),
    unitId: uuid().references(() => units.id),
    /** The first characters of the secret, so people can tell keys apart without the secret. */
    prefix: text().notNull(),
    /** SHA-256 of the secret; secrets are 256-bit random, so a slow hash adds nothing. */
    secretHash: text().notNull().unique(),
    /** The key made from ADMIN_API_KEY at start-up. */
    bootstrap: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true, precision: 3 }),
    revokedAt: timestamp({ withTimezone: true, precision: 3 }),
    /**
     * `admin`: revoked on purpose through the API, for good. `bootstrap`: revoked by start-up because
     * ADMIN_API_KEY was unset or changed; revived when that secret is configured again.
     */
    revokedReason: text({ enum: keyRevocationReasons }),
    /** The admin key that revoked it; null when start-up did. */
    revokedByKeyId: uuid().references((): AnyPgColumn => apiKeys.id),
  },
  (table) => [
    index('api_keys_created_idx').on(table.createdAt, table.id),
    check('api_keys_role_check', sql.raw(`role in ${sqlList(roles)}`)),
    check(
      'api_keys_revoked_reason_check',
      sql`(${table.revokedReason} is null and ${table.revokedByKeyId} is null) or ${table.revokedReason} = 'admin'
        or (${table.revokedReason} = 'bootstrap' and ${table.bootstrap} and ${table.revokedByKeyId} is null)`,
    ),
    check('api_keys_revoked_consistent_check', sql`(${table.revokedAt} is null) = (${table.revokedReason} is null)`),
  ],
);
