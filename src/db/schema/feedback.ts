import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { apiKeys } from './api-keys.js';
import type { Contact } from './contact.js';
import {
  channels,
  collectionModes,
  feedbackKinds,
  feedbackStatuses,
  fftRatings,
  formats,
  reasonCodes,
  safeguardingReasons,
  safeguardingStatuses,
  sqlList,
  submitterRoles,
} from './enums.js';
import { units } from './units.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const feedbackItems = pgTable(
  'feedback_items',
  {
    id: uuid().primaryKey().defaultRandom(),
    reference: text().notNull().unique(),
    unitId: uuid()
      .notNull()
      .references(() => units.id),
    /** Private. Null only after erasure, or for an FFT response that is a rating alone. */
    text: text(),
    youSaid: text(),
    publishConsent: boolean().notNull().default(false),
    /** The person agreed that the lived-experience panel may read `youSaid` (migration 0022). */
    reviewConsent: boolean().notNull().default(false),
    kind: text({ enum: feedbackKinds }),
    channel: text({ enum: channels }),
    submitterRole: text({ enum: submitterRoles }).notNull().default('not_stated'),
    format: text({ enum: formats }).notNull().default('written'),
    themes: text().array().notNull().default(sql`'{}'::text[]`),
    externalSystem: text(),
    externalId: text(),
    /** Private: name, email, phone, wantsReply. */
    contact: jsonb().$type<Contact>(),
    receivedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    dueAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    closedAt: timestamp({ withTimezone: true, precision: 3 }),
    /** The end of the unit's acknowledgement target in working days after receipt. */
    acknowledgeBy: timestamp({ withTimezone: true, precision: 3 }),
    /** The first reply sent or handed over, or the first staff triage, whichever came first (set by triggers). */
    acknowledgedAt: timestamp({ withTimezone: true, precision: 3 }),
    status: text({ enum: feedbackStatuses }).notNull().default('received'),
    version: integer().notNull().default(1),
    createdByKeyId: uuid().references(() => apiKeys.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    erasedAt: timestamp({ withTimezone: true, precision: 3 }),
    /** The FFT answer; every value it held is kept in feedback_fft_history (migration 0016). */
    fftRating: text({ enum: fftRatings }),
    collectionMode: text({ enum: collectionModes }),
    /** The safeguarding screen (migration 0019); every value it held is kept in feedback_safeguarding_history. */
    safeguarding: text({ enum: safeguardingStatuses }).notNull().default('none'),
    /** Staff only: the phrases of the list that matched at intake, never the text around them. */
    safeguardingMatches: text().array().notNull().default(sql`'{}'::text[]`),
    /** Why it was flagged (migration 0021); null while it never was. */
    safeguardingReason: text({ enum: safeguardingReasons }),
    search: tsvector().generatedAlwaysAs(
      sql`to_tsvector('english', coalesce(text, '') || ' ' || coalesce(you_said, ''))`,
    ),
  },
  (table) => [
    uniqueIndex('feedback_external_ref_unique').on(table.externalSystem, table.externalId),
    index('feedback_unit_received_idx').on(table.unitId, table.receivedAt.desc(), table.id.desc()),
    index('feedback_received_idx').on(table.receivedAt.desc(), table.id.desc()),
    // A page of one kind newest first (complaints about food): walking every kind newest first read
    // about 3,900 items to keep 51 at 1M items, this reads the complaints only (about 560).
    index('feedback_kind_received_idx').on(table.kind, table.receivedAt.desc(), table.id.desc()),
    index('feedback_open_due_idx').on(table.dueAt).where(sql`closed_at is null`),
    // Open items newest first, with due_at to test "overdue" inside the index: a page of overdue items
    // no longer skips every item of the last month (whose due dates are still ahead) in the heap.
    index('feedback_open_received_idx')
      .on(table.receivedAt.desc(), table.id.desc(), table.dueAt)
      .where(sql`closed_at is null`),
    index('feedback_unacknowledged_idx').on(table.acknowledgeBy).where(sql`acknowledged_at is null`),
    index('feedback_themes_gin').using('gin', table.themes),
    index('feedback_search_gin').using('gin', table.search),
    index('feedback_created_by_idx').on(table.createdByKeyId),
    index('feedback_safeguarding_flagged_idx')
      .on(table.receivedAt.desc(), table.id.desc())
      .where(sql`safeguarding = 'flagged'`),
    check('feedback_status_check', sql.raw(`status in ${sqlList(feedbackStatuses)}`)),
    check('feedback_kind_check', sql.raw(`kind in ${sqlList(feedbackKinds)}`)),
    check('feedback_channel_check', sql.raw(`channel in ${sqlList(channels)}`)),
    check('feedback_submitter_role_check', sql.raw(`submitter_role in ${sqlList(submitterRoles)}`)),
    check('feedback_format_check', sql.raw(`format in ${sqlList(formats)}`)),
    check(
      'feedback_closed_at_check',
      sql`(${table.status} in ('actioned', 'not_actioned')) = (${table.closedAt} is not null)`,
    ),
    // feedback_text_check (text, an FFT rating or an attachment) is a deferred constraint trigger: migration 0020.
    check('feedback_fft_rating_check', sql.raw(`fft_rating in ${sqlList(fftRatings)}`)),
    check('feedback_safeguarding_check', sql.raw(`safeguarding in ${sqlList(safeguardingStatuses)}`)),
    check(
      'feedback_safeguarding_reason_check',
      sql.raw(
        `(safeguarding = 'none') = (safeguarding_reason IS NULL) AND (safeguarding_reason IS NULL OR safeguarding_reason IN ${sqlList(safeguardingReasons)})`,
      ),
    ),
    check('feedback_collection_mode_check', sql.raw(`collection_mode in ${sqlList(collectionModes)}`)),
    check('feedback_external_ref_check', sql`(${table.externalSystem} is null) = (${table.externalId} is null)`),
    check('feedback_due_check', sql`${table.dueAt} >= ${table.receivedAt}`),
  ],
);

/**
 * Equality-monitoring answers, kept apart from the item: never shown per item, removed by erasure,
 * read only by aggregate reports.
 */
export const feedbackEquality = pgTable('feedback_equality', {
  feedbackId: uuid()
    .primaryKey()
    .references(() => feedbackItems.id, { onDelete: 'cascade' }),
  ageBand: text(),
  sex: text(),
  genderSameAsBirth: text(),
  ethnicGroup: text(),
  religion: text(),
  sexualOrientation: text(),
  disability: text(),
  pregnancyMaternity: text(),
  marriageCivilPartnership: text(),
});

/** "We couldn't, because": at most one current (not superseded) decision per item. */
export const decisions = pgTable(
  'decisions',
  {
    id: uuid().primaryKey().defaultRandom(),
    feedbackId: uuid()
      .notNull()
      .references(() => feedbackItems.id),
    reasonCode: text({ enum: reasonCodes }).notNull(),
    explanation: text().notNull(),
    referredTo: text(),
    decidedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    decidedByKeyId: uuid().references(() => apiKeys.id),
    supersededAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (table) => [
    uniqueIndex('decisions_current_unique').on(table.feedbackId).where(sql`superseded_at is null`),
    check('decisions_reason_check', sql.raw(`reason_code in ${sqlList(reasonCodes)}`)),
    check('decisions_explanation_check', sql`btrim(${table.explanation}) <> ''`),
  ],
);

/**
 * Every status change of an item, in order: reports rebuild any past moment from it (`asOf`).
 * `actionId` names the action whose completion closed the item; `decisionId` the decision.
 */
export const feedbackTransitions = pgTable(
  'feedback_transitions',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    feedbackId: uuid()
      .notNull()
      .references(() => feedbackItems.id),
    fromStatus: text({ enum: feedbackStatuses }),
    toStatus: text({ enum: feedbackStatuses }).notNull(),
    at: timestamp({ withTimezone: true, precision: 6 }).notNull().defaultNow(),
    actionId: uuid(),
    decisionId: uuid(),
    reason: text(),
  },
  (table) => [
    index('feedback_transitions_item_idx').on(table.feedbackId, table.at),
    // An item's status at any moment is one index-only probe: its newest transition at or before it,
    // with the status and closing action read from the index itself (the reports do this per item).
    index('feedback_transitions_latest_idx').on(
      table.feedbackId,
      table.at.desc(),
      table.id.desc(),
      table.toStatus,
      table.actionId,
    ),
  ],
);

/**
 * Each item's status history as spells: the status held from `fromAt` until `toAt` (null: still
 * held). Written only by the insert trigger on feedback_transitions (migration 0026), in the same
 * transaction, so "status at T" is one range scan (`fromAt <= T < toAt`) for the reports; a trigger
 * refuses two spells of an item that overlap.
 */
export const feedbackStatusSpells = pgTable(
  'feedback_status_spells',
  {
    feedbackId: uuid()
      .notNull()
      .references(() => feedbackItems.id),
    fromAt: timestamp({ withTimezone: true, precision: 6 }).notNull(),
    toAt: timestamp({ withTimezone: true, precision: 6 }),
    status: text({ enum: feedbackStatuses }).notNull(),
    /** The action the spell began with (its closing action, for an `actioned` spell). */
    actionId: uuid(),
  },
  (table) => [
    primaryKey({ columns: [table.feedbackId, table.fromAt] }),
    check('feedback_status_spells_order_check', sql`${table.toAt} is null or ${table.toAt} > ${table.fromAt}`),
    // The spells holding now, per item (index-only for a whole trust, a probe for one ward) …
    index('feedback_status_spells_current_idx')
      .on(table.feedbackId, table.fromAt, table.status, table.actionId)
      .where(sql`${table.toAt} is null`),
    // … and those that ended after a past `asOf`, found by their end.
    index('feedback_status_spells_ended_idx')
      .on(table.toAt, table.fromAt, table.feedbackId, table.status, table.actionId)
      .where(sql`${table.toAt} is not null`),
  ],
);

/**
 * What the reports read of each item, one narrow row per item (migration 0030): its grouping and
 * deadline columns, copied from feedback_items, and its current status spell (status, since when,
 * the action it began with). Kept by triggers in the same transaction as the writes it follows
 * (feedback_items insert and update, the status spells' rebuild); a trigger refuses any other
 * writer. The reports scan it instead of the wide feedback_items and the million spells; "status at
 * a past T" corrects the items whose current spell began after T from the spells that ended after
 * T (few for a recent T); the FFT rating likewise from its history. Erasure touches none of its
 * columns, so the figures survive erasure.
 */
export const feedbackFacts = pgTable(
  'feedback_facts',
  {
    feedbackId: uuid()
      .primaryKey()
      .references(() => feedbackItems.id),
    unitId: uuid().notNull(),
    receivedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    dueAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    kind: text(),
    channel: text(),
    submitterRole: text().notNull(),
    themes: text().array().notNull(),
    acknowledgeBy: timestamp({ withTimezone: true, precision: 3 }),
    acknowledgedAt: timestamp({ withTimezone: true, precision: 3 }),
    /** The current spell's status; `received` while the item has none. */
    status: text().notNull().default('received'),
    /** When the current spell began; null while the item has none. */
    statusFrom: timestamp({ withTimezone: true, precision: 6 }),
    actionId: uuid(),
    /** From receipt to the current spell's start, in whole microseconds, as the reports sort spans. */
    statusSpanUs: bigint({ mode: 'number' }).generatedAlwaysAs(
      sql`(extract(epoch from status_from - received_at) * 1000000)::int8`,
    ),
    /** From receipt to the acknowledgement, in whole microseconds. */
    acknowledgeSpanUs: bigint({ mode: 'number' }).generatedAlwaysAs(
      sql`(extract(epoch from acknowledged_at - received_at) * 1000000)::int8`,
    ),
    /** The FFT rating and collection mode held now (migration 0031), and since when: the newest feedback_fft_history row. */
    fftRating: text({ enum: fftRatings }),
    collectionMode: text({ enum: collectionModes }),
    fftAt: timestamp({ withTimezone: true, precision: 6 }),
  },
  // The items rated after a past `asOf`, whose rating then the FFT report reads from the history.
  (table) => [index('feedback_facts_fft_at_idx').on(table.fftAt).where(sql`fft_at is not null`)],
);

/**
 * Every value an item's FFT rating and collection mode have held, from when: written by triggers on
 * feedback_items (migration 0016), append-only. The FFT report's `asOf` rebuilds from it.
 */
export const feedbackFftHistory = pgTable(
  'feedback_fft_history',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    feedbackId: uuid()
      .notNull()
      .references(() => feedbackItems.id),
    fftRating: text({ enum: fftRatings }),
    collectionMode: text({ enum: collectionModes }),
    at: timestamp({ withTimezone: true, precision: 6 }).notNull().defaultNow(),
  },
  (table) => [
    index('feedback_fft_history_latest_idx').on(
      table.feedbackId,
      table.at.desc(),
      table.id.desc(),
      table.fftRating,
      table.collectionMode,
    ),
  ],
);

/**
 * Every safeguarding status an item has held other than the first `none`, from when: written by
 * triggers on feedback_items (migration 0019), append-only. The closure report's `asOf` rebuilds from it.
 */
export const feedbackSafeguardingHistory = pgTable(
  'feedback_safeguarding_history',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    feedbackId: uuid()
      .notNull()
      .references(() => feedbackItems.id),
    safeguarding: text({ enum: safeguardingStatuses }).notNull(),
    at: timestamp({ withTimezone: true, precision: 6 }).notNull().defaultNow(),
  },
  (table) => [
    index('feedback_safeguarding_history_latest_idx').on(
      table.feedbackId,
      table.at.desc(),
      table.id.desc(),
      table.safeguarding,
    ),
  ],
);
