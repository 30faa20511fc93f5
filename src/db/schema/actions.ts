import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { actionStatuses, coproductionLevels, sqlList } from './enums.js';
import { feedbackItems } from './feedback.js';
import { units } from './units.js';

export const actions = pgTable(
  'actions',
  {
    id: uuid().primaryKey().defaultRandom(),
    unitId: uuid()
      .notNull()
      .references(() => units.id),
    title: text().notNull(),
    description: text(),
    status: text({ enum: actionStatuses }).notNull().default('planned'),
    plannedFor: date({ mode: 'string' }),
    owner: text(),
    coproductionLevel: text({ enum: coproductionLevels }).notNull().default('none'),
    livedExperienceCount: integer().notNull().default(0),
    outcome: text(),
    completedAt: timestamp({ withTimezone: true, precision: 3 }),
    cancelledAt: timestamp({ withTimezone: true, precision: 3 }),
    cancelReason: text(),
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index('actions_unit_idx').on(table.unitId, table.createdAt.desc(), table.id.desc()),
    index('actions_completed_idx').on(table.unitId, table.completedAt.desc()),
    check('actions_status_check', sql.raw(`status in ${sqlList(actionStatuses)}`)),
    check('actions_coproduction_check', sql.raw(`coproduction_level in ${sqlList(coproductionLevels)}`)),
    check('actions_lived_experience_check', sql`${table.livedExperienceCount} >= 0`),
    check('actions_title_check', sql`btrim(${table.title}) <> ''`),
    check(
      'actions_completed_check',
      sql`(${table.status} = 'completed') = (${table.completedAt} is not null and coalesce(btrim(${table.outcome}), '') <> '')`,
    ),
    check(
      'actions_cancelled_check',
      sql`(${table.status} = 'cancelled') = (${table.cancelledAt} is not null and coalesce(btrim(${table.cancelReason}), '') <> '')`,
    ),
  ],
);

export const actionFeedback = pgTable(
  'action_feedback',
  {
    actionId: uuid()
      .notNull()
      .references(() => actions.id),
    feedbackId: uuid()
      .notNull()
      .references(() => feedbackItems.id),
    linkedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.actionId, table.feedbackId] }),
    index('action_feedback_feedback_idx').on(table.feedbackId),
  ],
);
