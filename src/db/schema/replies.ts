import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { followUpAnswers, replyChannels, replyKinds, replyStatuses, sqlList } from './enums.js';
import { feedbackItems, feedbackTransitions } from './feedback.js';

/**
 * Replies to the person: an outbox written by a trigger (migration 0015) in the transaction of the
 * status change it tells of, sent by the reply worker. No address and no words are stored here: the
 * worker reads the contact when it sends, and builds the message from public-safe fields.
 */
export const replies = pgTable(
  'replies',
  {
    id: uuid().primaryKey().defaultRandom(),
    feedbackId: uuid()
      .notNull()
      .references(() => feedbackItems.id),
    /** The status change told of: received (an acknowledgement) or a close (an answer). */
    transitionId: bigint({ mode: 'number' })
      .notNull()
      .unique()
      .references(() => feedbackTransitions.id),
    kind: text({ enum: replyKinds }).notNull(),
    channel: text({ enum: replyChannels }).notNull(),
    status: text({ enum: replyStatuses }).notNull().default('queued'),
    /** Why staff must hand this reply over: the needs that sending cannot meet. */
    supportNeeded: text(),
    easyRead: boolean().notNull().default(false),
    largePrint: boolean().notNull().default(false),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    leaseToken: uuid(),
    leaseUntil: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true, precision: 3 }),
    handedOverAt: timestamp({ withTimezone: true, precision: 3 }),
    lastError: text(),
    /** What the provider calls the message it accepted (a GOV.UK Notify id, an SMTP Message-ID). */
    providerReference: text(),
  },
  (table) => [
    index('replies_feedback_idx').on(table.feedbackId, table.createdAt, table.id),
    index('replies_due_idx').on(table.nextAttemptAt).where(sql`status = 'queued' and channel <> 'in_person'`),
    check('replies_kind_check', sql.raw(`kind in ${sqlList(replyKinds)}`)),
    check('replies_channel_check', sql.raw(`channel in ${sqlList(replyChannels)}`)),
    check('replies_status_check', sql.raw(`status in ${sqlList(replyStatuses)}`)),
    check('replies_sent_check', sql`(${table.status} = 'sent') = (${table.sentAt} is not null)`),
    check('replies_handed_over_check', sql`(${table.status} = 'handed_over') = (${table.handedOverAt} is not null)`),
    check('replies_attempts_check', sql`${table.attempts} >= 0`),
  ],
);

/** "Did this answer you?": one answer per close of an item, so one per answer reply. */
export const followUps = pgTable(
  'follow_ups',
  {
    id: uuid().primaryKey().defaultRandom(),
    feedbackId: uuid()
      .notNull()
      .references(() => feedbackItems.id),
    closingTransitionId: bigint({ mode: 'number' })
      .notNull()
      .unique()
      .references(() => feedbackTransitions.id),
    answer: text({ enum: followUpAnswers }).notNull(),
    /** Private, like the item's text; removed by erasure. */
    comment: text(),
    answeredAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index('follow_ups_feedback_idx').on(table.feedbackId, table.answeredAt),
    check('follow_ups_answer_check', sql.raw(`answer in ${sqlList(followUpAnswers)}`)),
  ],
);
