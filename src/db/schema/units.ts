import { sql } from 'drizzle-orm';
import { type AnyPgColumn, boolean, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sqlList, unitTypes } from './enums.js';

export const units = pgTable(
  'units',
  {
    id: uuid().primaryKey().defaultRandom(),
    type: text({ enum: unitTypes }).notNull(),
    code: text().notNull().unique(),
    name: text().notNull(),
    parentId: uuid().references((): AnyPgColumn => units.id),
    /** Ids from the root down to this unit itself: subtree look-ups are one indexed `path @> ARRAY[id]`. */
    path: uuid().array().notNull(),
    /** Null means "inherit from the nearest ancestor that sets it" (default 28 days). */
    responseTargetDays: integer(),
    /** Null means "inherit from the nearest ancestor that sets it" (default 3 working days). */
    acknowledgementTargetWorkingDays: integer(),
    boardEnabled: boolean().notNull().default(true),
    boardEasyRead: boolean().notNull().default(false),
    /** Bumped in the same transaction as any change that alters what the unit's board shows. */
    boardVersion: integer().notNull().default(0),
    /** Set with every board_version bump: when the board last changed, not when its content was last built. */
    boardChangedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** The NHS Organisation Data Service code of the trust or site, for the FFT monthly return. */
    odsCode: text().unique(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index('units_path_gin').using('gin', table.path),
    index('units_parent_idx').on(table.parentId),
    check('units_type_check', sql.raw(`type in ${sqlList(unitTypes)}`)),
    check('units_response_target_check', sql`${table.responseTargetDays} between 1 and 365`),
    check('units_acknowledgement_target_check', sql`${table.acknowledgementTargetWorkingDays} between 1 and 30`),
    check('units_code_check', sql`${table.code} ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'`),
    check('units_ods_code_check', sql`${table.odsCode} ~ '^[A-Z0-9]{3,6}$'`),
    check('units_trust_root_check', sql`(${table.type} = 'trust') = (${table.parentId} is null)`),
  ],
);
