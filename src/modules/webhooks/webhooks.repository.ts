import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import type { DeliveryStatus, EventType } from '../../db/schema/enums.js';
import { eventCommits, events, webhookAttempts, webhookDeliveries, webhooks } from '../../db/schema/index.js';
import type { FeedPosition } from '../events/events.repository.js';
import { unitColumnWithin } from '../units/units.repository.js';

export type WebhookRow = typeof webhooks.$inferSelect;

/** Inserts a subscription whose cursor is past every commit so far: it receives what follows. */
export async function insertWebhook(
  tx: Queryable,
  values: Omit<typeof webhooks.$inferInsert, 'cursorSeq' | 'cursorPosition'>,
): Promise<WebhookRow> {
  const [row] = await tx
    .insert(webhooks)
    .values({
      ...values,
      cursorSeq: sql`(select coalesce(max(${eventCommits.seq}), 0) from ${eventCommits})`,
      cursorPosition: Number.MAX_SAFE_INTEGER,
    })
    .returning();
  return row!;
}

/** Every subscription; with `within`, only those about that unit's subtree. */
export async function listWebhooks(db: Queryable, within: string | null): Promise<WebhookRow[]> {
  return db
    .select()
    .from(webhooks)
    .where(within ? unitColumnWithin(webhooks.unitId, within) : undefined)
    .orderBy(webhooks.createdAt, webhooks.id);
}

export async function findWebhook(db: Queryable, id: string): Promise<WebhookRow | undefined> {
  const [row] = await db.select().from(webhooks).where(eq(webhooks.id, id));
  return row;
}

export async function deleteWebhook(tx: Queryable, id: string): Promise<boolean> {
  const rows = await tx.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id });
  return rows.length > 0;
}

const deliveryColumns = {
  seq: webhookDeliveries.seq,
  id: webhookDeliveries.id,
  status: webhookDeliveries.status,
  attemptCount: webhookDeliveries.attemptCount,
  nextAttemptAt: webhookDeliveries.nextAttemptAt,
  firstAttemptAt: webhookDeliveries.firstAttemptAt,
  deliveredAt: webhookDeliveries.deliveredAt,
  createdAt: webhookDeliveries.createdAt,
  eventId: events.id,
  eventType: events.type,
  eventUnitId: events.unitId,
  eventData: events.data,
  eventOccurredAt: events.occurredAt,
};

/** Deliveries with the event each one carries. */
const selectDeliveries = (db: Queryable) =>
  db
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .innerJoin(events, eq(events.position, webhookDeliveries.eventPosition));

export type DeliveryRow = Awaited<ReturnType<ReturnType<typeof selectDeliveries>['execute']>>[number];

export type AttemptRow = typeof webhookAttempts.$inferSelect;

/** A page of a subscription's deliveries, newest first, before the `seq` cursor. */
export async function listDeliveries(
  db: Queryable,
  webhookId: string,
  filters: { status?: DeliveryStatus | undefined },
  limit: number,
  beforeSeq?: number,
): Promise<DeliveryRow[]> {
  return selectDeliveries(db)
    .where(
      and(
        eq(webhookDeliveries.webhookId, webhookId),
        filters.status ? eq(webhookDeliveries.status, filters.status) : undefined,
        beforeSeq !== undefined ? lt(webhookDeliveries.seq, beforeSeq) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.seq))
    .limit(limit + 1);
}

export async function attemptsOf(db: Queryable, deliveryIds: readonly string[]): Promise<Map<string, AttemptRow[]>> {
  const result = new Map<string, AttemptRow[]>();
  if (deliveryIds.length === 0) return result;
  const rows = await db
    .select()
    .from(webhookAttempts)
    .where(inArray(webhookAttempts.deliveryId, [...deliveryIds]))
    .orderBy(webhookAttempts.id);
  for (const row of rows) result.set(row.deliveryId, [...(result.get(row.deliveryId) ?? []), row]);
  return result;
}

export async function findDelivery(db: Queryable, webhookId: string, deliveryId: string) {
  const [row] = await selectDeliveries(db).where(
    and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.id, deliveryId)),
  );
  return row;
}

/** Queues a delivery again, now, as a fresh round of retries; its past attempts stay on record. */
export async function requeueDelivery(tx: Queryable, deliveryId: string): Promise<void> {
  await tx
    .update(webhookDeliveries)
    .set({ status: 'pending', attemptCount: 0, firstAttemptAt: null, nextAttemptAt: sql`now()` })
    .where(eq(webhookDeliveries.id, deliveryId));
}

/**
 * Enables the subscription (when disabled) and makes it due now. With `ownerKeyId` the enabling key
 * becomes its owner, so revoking that key stops it in turn.
 */
export async function enableWebhook(tx: Queryable, id: string, ownerKeyId?: string | null): Promise<void> {
  await tx
    .update(webhooks)
    .set({
      status: 'enabled',
      disabledReason: null,
      disabledAt: null,
      nextAttemptAt: sql`now()`,
      ...(ownerKeyId !== undefined ? { createdByKeyId: ownerKeyId } : {}),
    })
    .where(eq(webhooks.id, id));
}

/** Disables the enabled subscriptions a key made, as that key has been revoked. */
export async function disableWebhooksOfKey(tx: Queryable, keyId: string): Promise<{ id: string }[]> {
  return tx
    .update(webhooks)
    .set({ status: 'disabled', disabledReason: 'creator_revoked', disabledAt: sql`now()` })
    .where(and(eq(webhooks.createdByKeyId, keyId), eq(webhooks.status, 'enabled')))
    .returning({ id: webhooks.id });
}

/** Enables again the subscriptions stopped only because their creator key was revoked. */
export async function enableWebhooksOfKey(tx: Queryable, keyId: string): Promise<{ id: string }[]> {
  return tx
    .update(webhooks)
    .set({ status: 'enabled', disabledReason: null, disabledAt: null, nextAttemptAt: sql`now()` })
    .where(and(eq(webhooks.createdByKeyId, keyId), eq(webhooks.disabledReason, 'creator_revoked')))
    .returning({ id: webhooks.id });
}

// The worker's queries.

export interface LeasedWebhook {
  id: string;
  url: string;
  secret: string;
  eventTypes: EventType[];
  unitId: string | null;
  cursor: FeedPosition;
  leaseToken: string;
}

/**
 * Leases up to `limit` subscriptions that are due and not leased by any instance. SKIP LOCKED lets
 * instances claim side by side without waiting on each other; the lease (not a held transaction)
 * keeps the claim while the HTTP call runs, and lapses by itself if the instance dies.
 */
export async function leaseDueWebhooks(db: Queryable, limit: number, leaseMs: number): Promise<LeasedWebhook[]> {
  const rows = await rowsOf<{
    id: string;
    url: string;
    secret: string;
    event_types: EventType[];
    unit_id: string | null;
    cursor_seq: string | number;
    cursor_position: string | number;
    lease_token: string;
  }>(
    db,
    sql`
    update webhooks w
    set lease_until = now() + ${leaseMs} * interval '1 millisecond', lease_token = gen_random_uuid()
    where w.id in (
      select id from webhooks
      where status = 'enabled' and next_attempt_at <= now() and lease_until < now()
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning w.id, w.url, w.secret, w.event_types, w.unit_id, w.cursor_seq,
      w.cursor_position, w.lease_token`,
  );
  return rows.map((row) => ({
    id: row.id,
    url: row.url,
    secret: row.secret,
    eventTypes: row.event_types,
    unitId: row.unit_id,
    cursor: { seq: Number(row.cursor_seq), position: Number(row.cursor_position) },
    leaseToken: row.lease_token,
  }));
}

/**
 * True while this lease is still ours and the subscription enabled (locks the row until the
 * transaction ends): one disabled mid-run, say because its creator key was revoked, gets no more.
 */
export async function holdsLease(tx: Queryable, id: string, token: string): Promise<boolean> {
  const rows = await tx
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(and(eq(webhooks.id, id), eq(webhooks.leaseToken, token), eq(webhooks.status, 'enabled')))
    .for('update');
  return rows.length > 0;
}

export async function releaseLease(db: Queryable, id: string, token: string, nextAttemptAt: Date | null) {
  await db
    .update(webhooks)
    .set({ leaseUntil: sql`'-infinity'`, leaseToken: null, nextAttemptAt: nextAttemptAt ?? sql`now()` })
    .where(and(eq(webhooks.id, id), eq(webhooks.leaseToken, token)));
}

export async function insertDeliveries(tx: Queryable, webhookId: string, positions: readonly number[]) {
  if (positions.length === 0) return;
  await tx.insert(webhookDeliveries).values(positions.map((eventPosition) => ({ webhookId, eventPosition })));
}

export async function moveCursor(tx: Queryable, id: string, cursor: FeedPosition): Promise<void> {
  await tx.update(webhooks).set({ cursorSeq: cursor.seq, cursorPosition: cursor.position }).where(eq(webhooks.id, id));
}

/**
 * The oldest pending delivery of an enabled subscription: deliveries go out one at a time, in order,
 * and none once the subscription has been disabled.
 */
export async function headDelivery(db: Queryable, webhookId: string): Promise<DeliveryRow | undefined> {
  const [row] = await selectDeliveries(db)
    .innerJoin(webhooks, and(eq(webhooks.id, webhookDeliveries.webhookId), eq(webhooks.status, 'enabled')))
    .where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.status, 'pending')))
    .orderBy(webhookDeliveries.seq)
    .limit(1);
  return row;
}

/**
 * How far every enabled subscription is done with the feed: up to its cursor, and short of its
 * oldest pending delivery. The change feed is pruned no further, so an enabled subscription never
 * loses an event it has still to send, retrying or not. Undefined when none is enabled.
 */
export async function deliveredThrough(db: Queryable): Promise<FeedPosition | undefined> {
  const [row] = await rowsOf<{ seq: string | number; position: string | number }>(
    db,
    sql`
    select seq, position from (
      select w.cursor_seq as seq, w.cursor_position as position from webhooks w where w.status = 'enabled'
      union all
      select c.seq, e.position - 1
      from webhooks w
      cross join lateral (
        select d.event_position from webhook_deliveries d
        where d.webhook_id = w.id and d.status = 'pending'
        order by d.seq
        limit 1
      ) head
      join events e on e.position = head.event_position
      join event_commits c on c.tx_id = e.tx_id
      where w.status = 'enabled'
    ) held
    order by seq, position
    limit 1`,
  );
  return row ? { seq: Number(row.seq), position: Number(row.position) } : undefined;
}

export async function insertAttempt(tx: Queryable, values: typeof webhookAttempts.$inferInsert): Promise<void> {
  await tx.insert(webhookAttempts).values(values);
}

export async function updateDelivery(
  tx: Queryable,
  id: string,
  values: Partial<typeof webhookDeliveries.$inferInsert>,
): Promise<void> {
  await tx.update(webhookDeliveries).set(values).where(eq(webhookDeliveries.id, id));
}

export async function disableWebhook(tx: Queryable, id: string, reason: 'gone' | 'failing'): Promise<void> {
  await tx
    .update(webhooks)
    .set({ status: 'disabled', disabledReason: reason, disabledAt: sql`now()` })
    .where(eq(webhooks.id, id));
}
