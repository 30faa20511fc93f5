import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { apiKeys } from './api-keys.js';
import { units } from './units.js';

/**
 * One-time links that sign a lived-experience reviewer in (migration 0023). Only a hash of the token
 * is kept; spending and revoking are one-way (a trigger), and revoking ends the sessions it started.
 */
export const reviewInvites = pgTable(
  'review_invites',
  {
    id: uuid().primaryKey().defaultRandom(),
    tokenHash: text().notNull().unique('review_invites_token_hash_unique'),
    /** How staff know the reviewer (a first name); shown to admins and in the audit trail, never on a board. */
    name: text(),
    unitId: uuid()
      .notNull()
      .references(() => units.id),
    createdByKeyId: uuid().references(() => apiKeys.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    usedAt: timestamp({ withTimezone: true, precision: 3 }),
    revokedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (table) => [
    index('review_invites_created_idx').on(table.createdAt, table.id),
    check('review_invites_expiry_check', sql`expires_at > created_at`),
    check('review_invites_used_in_time_check', sql`used_at IS NULL OR used_at <= expires_at`),
    check('review_invites_name_check', sql`name IS NULL OR length(btrim(name)) BETWEEN 1 AND 200`),
  ],
);

/** What a session can hang from: a reviewer's invite, or a person row of the staff console (migration 0024). */
export const sessionSubjectKinds = ['review_invite', 'person'] as const;

/**
 * Server-side sessions (migration 0023), keyed by a hash of the cookie's session id. The row is the
 * session: deleting it (sign-out, revocation) ends it at the next request.
 */
export const sessions = pgTable(
  'sessions',
  {
    idHash: text().primaryKey(),
    subjectKind: text({ enum: sessionSubjectKinds }).notNull(),
    subjectId: uuid().notNull(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    idleExpiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    absoluteExpiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (table) => [
    index('sessions_subject_idx').on(table.subjectKind, table.subjectId),
    index('sessions_absolute_expires_idx').on(table.absoluteExpiresAt),
    check('sessions_subject_kind_check', sql`subject_kind in ('review_invite', 'person')`),
    check('sessions_expiry_check', sql`idle_expires_at <= absolute_expires_at AND absolute_expires_at > created_at`),
  ],
);
