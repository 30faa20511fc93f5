import { sql } from 'drizzle-orm';
import { boolean, check, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { roles, sqlList } from './enums.js';
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
  },
  (table) => [
    index('api_keys_created_idx').on(table.createdAt, table.id),
    check('api_keys_role_check', sql.raw(`role in ${sqlList(roles)}`)),
  ],
);
