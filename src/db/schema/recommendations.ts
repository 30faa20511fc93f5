import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { actions } from './actions.js';
import { recommendationStatuses, sqlList } from './enums.js';
import { feedbackItems } from './feedback.js';
import { units } from './units.js';

/**
 * What the lived-experience panel recommended for a unit (migration 0022). `accepted` and `done`
 * follow the linked actions in the database: done exactly when every one is completed.
 */
export const recommendations = pgTable(
  'recommendations',
  {
    id: uuid().primaryKey().defaultRandom(),
    unitId: uuid()
      .notNull()
      .references(() => units.id),
    title: text().notNull(),
    text: text().notNull(),
    themes: text().array().notNull().default(sql`'{}'::text[]`),
    status: text({ enum: recommendationStatuses }).notNull().default('proposed'),
    /** Public: why it was declined (required then), or what staff said when accepting. */
    response: text(),
    /**
     * The principal's keyId: an API key's id, or a review invite's for a reviewer signed in by its
     * link (so no foreign key). For "my recommendations"; never shown.
     */
    madeBy: uuid(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    respondedAt: timestamp({ withTimezone: true, precision: 3 }),
    doneAt: timestamp({ withTimezone: true, precision: 3 }),
    version: integer().notNull().default(1),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index('recommendations_unit_idx').on(table.unitId, table.createdAt.desc(), table.id.desc()),
    index('recommendations_created_idx').on(table.createdAt.desc(), table.id.desc()),
    index('recommendations_made_by_idx').on(table.madeBy, table.createdAt.desc(), table.id.desc()),
    check('recommendations_status_check', sql.raw(`status in ${sqlList(recommendationStatuses)}`)),
    check('recommendations_title_check', sql`btrim(${table.title}) <> ''`),
    check('recommendations_text_check', sql`btrim(${table.text}) <> ''`),
    check(
      'recommendations_declined_response_check',
      sql`${table.status} <> 'declined' OR coalesce(btrim(${table.response}), '') <> ''`,
    ),
    check('recommendations_responded_check', sql`(${table.status} = 'proposed') = (${table.respondedAt} IS NULL)`),
    check('recommendations_done_at_check', sql`(${table.status} = 'done') = (${table.doneAt} IS NOT NULL)`),
  ],
);

/** The de-identified feedback items a recommendation draws on. */
export const recommendationFeedback = pgTable(
  'recommendation_feedback',
  {
    recommendationId: uuid()
      .notNull()
      .references(() => recommendations.id),
    feedbackId: uuid()
      .notNull()
      .references(() => feedbackItems.id),
  },
  (table) => [primaryKey({ name: 'recommendation_feedback_pk', columns: [table.recommendationId, table.feedbackId] })],
);

/** The actions that answer an accepted recommendation. */
export const recommendationActions = pgTable(
  'recommendation_actions',
  {
    recommendationId: uuid()
      .notNull()
      .references(() => recommendations.id),
    actionId: uuid()
      .notNull()
      .references(() => actions.id),
    linkedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ name: 'recommendation_actions_pk', columns: [table.recommendationId, table.actionId] }),
    index('recommendation_actions_action_idx').on(table.actionId),
  ],
);

/** Every status a recommendation has held, from when (written by a trigger; append-only). */
export const recommendationTransitions = pgTable(
  'recommendation_transitions',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    recommendationId: uuid()
      .notNull()
      .references(() => recommendations.id),
    fromStatus: text({ enum: recommendationStatuses }),
    toStatus: text({ enum: recommendationStatuses }).notNull(),
    at: timestamp({ withTimezone: true, precision: 6 }).notNull().defaultNow(),
  },
  (table) => [
    index('recommendation_transitions_latest_idx').on(
      table.recommendationId,
      table.at.desc(),
      table.id.desc(),
      table.toStatus,
    ),
  ],
);
