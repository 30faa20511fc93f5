import { sql } from 'drizzle-orm';
import { boolean, check, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The safeguarding phrase list: one row, replaced whole by an admin, versioned for ETag and If-Match.
 * Seeded by migration 0019 with a small starting list.
 */
export const safeguardingPhraseList = pgTable(
  'safeguarding_phrase_list',
  {
    id: boolean().primaryKey().default(true),
    phrases: text().array().notNull(),
    version: integer().notNull().default(1),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [check('safeguarding_phrase_list_single_check', sql`${table.id}`)],
);
