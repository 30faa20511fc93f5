import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sqlList } from './enums.js';
import { units } from './units.js';

/** The roles a person of the staff console may hold; intake and display stay for systems with keys. */
export const personRoles = ['admin', 'staff', 'auditor'] as const;

/**
 * Who may sign in to the staff console (migration 0024): one email address or one identity-provider
 * group per row, mapped to a role and an optional unit scope. Emails are stored in lower case.
 */
export const people = pgTable(
  'people',
  {
    id: uuid().primaryKey().defaultRandom(),
    email: text(),
    /** A group the identity provider names in the `groups` claim (Entra ID: the group's object id). */
    idpGroup: text(),
    role: text({ enum: personRoles }).notNull(),
    unitId: uuid().references(() => units.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('people_email_unique').on(table.email).where(sql`email IS NOT NULL`),
    uniqueIndex('people_group_unique').on(table.idpGroup).where(sql`idp_group IS NOT NULL`),
    index('people_created_idx').on(table.createdAt, table.id),
    check('people_role_check', sql.raw(`role in ${sqlList(personRoles)}`)),
    check('people_one_match_check', sql`(email IS NULL) <> (idp_group IS NULL)`),
    check(
      'people_email_check',
      sql`email IS NULL OR (email = lower(email) AND length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$')`,
    ),
    check(
      'people_group_check',
      sql`idp_group IS NULL OR (idp_group = btrim(idp_group) AND length(idp_group) BETWEEN 1 AND 256)`,
    ),
  ],
);

/**
 * A sign-in under way (migration 0024): the hash of the id in the browser's short-lived cookie, with
 * the OpenID Connect state, nonce and PKCE verifier. Read once, by deleting it.
 */
export const signInAttempts = pgTable(
  'sign_in_attempts',
  {
    idHash: text().primaryKey(),
    state: text().notNull(),
    nonce: text().notNull(),
    codeVerifier: text().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (table) => [
    index('sign_in_attempts_expires_idx').on(table.expiresAt),
    check('sign_in_attempts_expiry_check', sql`expires_at > created_at`),
  ],
);

/**
 * One-time links that sign a person in where no identity provider is configured (migration 0024):
 * only the token's hash is kept; spent once; removed with the person row.
 */
export const personInvites = pgTable(
  'person_invites',
  {
    id: uuid().primaryKey().defaultRandom(),
    tokenHash: text().notNull().unique('person_invites_token_hash_unique'),
    personId: uuid()
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    usedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (table) => [
    index('person_invites_person_idx').on(table.personId),
    check('person_invites_expiry_check', sql`expires_at > created_at`),
    check('person_invites_used_in_time_check', sql`used_at IS NULL OR used_at <= expires_at`),
  ],
);
