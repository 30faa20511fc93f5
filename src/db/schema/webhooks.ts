import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { apiKeys } from './api-keys.js';
import { deliveryStatuses, sqlList, webhookDisabledReasons, webhookStatuses } from './enums.js';
import { events } from './events.js';
import { units } from './units.js';

/**
 * Webhook subscriptions. `cursorSeq`/`cursorPosition` is how far the outbox has been read for this
 * subscription (set at creation to the last commit, so delivery begins with what follows). The
 * lease says which instance is delivering for it right now.
 */
export const webhooks = pgTable(
  'webhooks',
  {
    id: uuid().primaryKey().defaultRandom(),
    url: text().notNull(),
    eventTypes: text().array().notNull(),
    /** Only events about this unit's subtree; null for every unit. */
    unitId: uuid().references(() => units.id),
    description: text(),
    /** `whsec_…`: kept as is, since every delivery is signed with it. */
    secret: text().notNull(),
    status: text({ enum: webhookStatuses }).notNull().default('enabled'),
    disabledReason: text({ enum: webhookDisabledReasons }),
    disabledAt: timestamp({ withTimezone: true, precision: 3 }),
    cursorSeq: bigint({ mode: 'number' }).notNull().default(0),
    cursorPosition: bigint({ mode: 'number' }).notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    leaseUntil: timestamp({ withTimezone: true, precision: 3 }).notNull().default(sql`'-infinity'`),
    leaseToken: uuid(),
    createdByKeyId: uuid().references(() => apiKeys.id),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index('webhooks_due_idx').on(table.nextAttemptAt).where(sql`${table.status} = 'enabled'`),
    check('webhooks_status_check', sql.raw(`status in ${sqlList(webhookStatuses)}`)),
    check(
      'webhooks_disabled_reason_check',
      sql`${table.disabledReason} in ${sql.raw(sqlList(webhookDisabledReasons))}
        and (${table.status} = 'disabled') = (${table.disabledReason} is not null)`,
    ),
  ],
);

/** One event for one subscription; delivered in `seq` order per subscription. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    seq: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    id: uuid().notNull().unique().defaultRandom(),
    webhookId: uuid()
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    /** A delivery goes with its event when the change feed is pruned (see eventRetention). */
    eventPosition: bigint({ mode: 'number' })
      .notNull()
      .references(() => events.position, { onDelete: 'cascade' }),
    status: text({ enum: deliveryStatuses }).notNull().default('pending'),
    attemptCount: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    firstAttemptAt: timestamp({ withTimezone: true, precision: 3 }),
    deliveredAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index('webhook_deliveries_queue_idx').on(table.webhookId, table.seq).where(sql`${table.status} = 'pending'`),
    index('webhook_deliveries_list_idx').on(table.webhookId, table.seq),
    // The prune's cascade from events finds an event's deliveries by this, not by a scan.
    index('webhook_deliveries_event_idx').on(table.eventPosition),
    check('webhook_deliveries_status_check', sql.raw(`status in ${sqlList(deliveryStatuses)}`)),
  ],
);

/** Every HTTP attempt of a delivery, kept for the deliveries view. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: uuid()
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attemptedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** The receiver's HTTP status; null when no answer came (refused, timed out, blocked address). */
    statusCode: integer(),
    /** Why an attempt failed, in our words; never the receiver's body. */
    error: text(),
    durationMs: integer().notNull(),
  },
  (table) => [index('webhook_attempts_delivery_idx').on(table.deliveryId, table.id)],
);
