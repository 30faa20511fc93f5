import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const themes = pgTable(
  'themes',
  {
    code: text().primaryKey(),
    label: text().notNull(),
    position: integer().notNull().default(0),
    /** Retired codes stay so that older feedback keeps a readable label. */
    retiredAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (table) => [check('themes_code_check', sql`${table.code} ~ '^[a-z][a-z0-9_]{0,47}$'`)],
);
