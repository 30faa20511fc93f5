import { randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../../db/client.js';
import { inSnapshot, inTransaction } from '../../db/transaction.js';
import { cursorKeys, decodeCursor, toPage } from '../../http/pagination.js';
import { conflict, invalidField, notFound } from '../../http/problems.js';
import { type AuditEntry, appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { findUnit } from '../units/units.repository.js';
import { principalSees } from '../units/units.service.js';
import { refuseTarget } from './webhook-targets.js';
import {
  type AttemptRow,
  attemptsOf,
  type DeliveryRow,
  deleteWebhook,
  disableWebhooksOfKey,
  enableWebhook,
  enableWebhooksOfKey,
  findDelivery,
  findWebhook,
  insertWebhook,
  listDeliveries,
  listWebhooks,
  requeueDelivery,
  type WebhookRow,
} from './webhooks.repository.js';
import type { CreateWebhook, Delivery, ListDeliveriesQuery, Webhook } from './webhooks.schemas.js';

export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.eventTypes as Webhook['eventTypes'],
    unitId: row.unitId,
    description: row.description,
    status: row.status,
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

function toDelivery(row: DeliveryRow, attempts: AttemptRow[] = []): Delivery {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    attempts: attempts.map((attempt) => ({
      attemptedAt: attempt.attemptedAt.toISOString(),
      statusCode: attempt.statusCode,
      error: attempt.error,
      durationMs: attempt.durationMs,
    })),
  };
}

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * Subscribes a URL to event types. Delivery starts with the events that follow this subscription;
 * the URL must reach a public address unless the operator allows private targets. A key scoped to a
 * unit subscribes to a unit within its scope only: events about other units are not its to receive.
 */
export async function createWebhook(
  db: Database,
  principal: Principal,
  input: CreateWebhook,
  allowPrivateTargets: boolean,
): Promise<Webhook & { secret: string }> {
  const refusal = await refuseTarget(input.url, allowPrivateTargets);
  if (refusal) throw invalidField('/url', refusal);
  if (input.unitId) {
    const unit = await findUnit(db, input.unitId);
    if (!unit || !principalSees(principal, unit)) throw invalidField('/unitId', 'No such unit');
  } else if (principal.unitId) {
    throw invalidField(
      '/unitId',
      'Required for a key scoped to a unit: subscribe to that unit or one below it (null means every unit in the trust)',
    );
  }
  const secret = newSecret();
  const row = await inTransaction(db, async (tx) => {
    const created = await insertWebhook(tx, {
      url: input.url,
      eventTypes: input.eventTypes,
      unitId: input.unitId ?? null,
      description: input.description ?? null,
      secret,
      createdByKeyId: principal.keyId,
    });
    await appendAudit(tx, actorOf(principal), {
      entityType: 'webhook',
      entityId: created.id,
      action: 'created',
      details: { eventTypes: input.eventTypes, unitId: input.unitId ?? null, fields: Object.keys(input).sort() },
    });
    return created;
  });
  return { ...toWebhook(row), secret };
}

/** The subscriptions the principal may see: all of them, or those about units in its scope. */
export async function listVisibleWebhooks(db: Database, principal: Principal): Promise<Webhook[]> {
  return (await listWebhooks(db, principal.unitId)).map(toWebhook);
}

/**
 * Loads a subscription the principal may see. A scoped key sees only subscriptions about units in
 * its scope; one for every unit, or for units elsewhere, is reported as not found.
 */
export async function getWebhook(db: Database, principal: Principal, id: string): Promise<WebhookRow> {
  const row = await findWebhook(db, id);
  if (!row) throw notFound('Webhook');
  if (principal.unitId) {
    const unit = row.unitId ? await findUnit(db, row.unitId) : undefined;
    if (!unit || !principalSees(principal, unit)) throw notFound('Webhook');
  }
  return row;
}

/** Ends a subscription and its queue; the events themselves stay in the feed. */
export async function removeWebhook(db: Database, principal: Principal, id: string): Promise<void> {
  await getWebhook(db, principal, id);
  await inTransaction(db, async (tx) => {
    if (!(await deleteWebhook(tx, id))) throw notFound('Webhook');
    await appendAudit(tx, actorOf(principal), { entityType: 'webhook', entityId: id, action: 'deleted' });
  });
}

/**
 * Enables a disabled subscription now; the enabling key becomes its owner (so one stopped because
 * its creator was revoked answers to a live key again). Delivery resumes where it stopped.
 */
export async function enableVisibleWebhook(db: Database, principal: Principal, id: string): Promise<Webhook> {
  const webhook = await getWebhook(db, principal, id);
  if (webhook.status === 'enabled') return toWebhook(webhook);
  await inTransaction(db, async (tx) => {
    await enableWebhook(tx, id, principal.keyId);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'webhook',
      entityId: id,
      action: 'enabled',
      details: { previousReason: webhook.disabledReason },
    });
  });
  return toWebhook(await getWebhook(db, principal, id));
}

/**
 * Stops the subscriptions a key made, inside the transaction that revokes it: a revoked key's
 * subscriptions must not go on receiving events. Returns the audit entries, one per subscription.
 */
export async function stopSubscriptionsOf(tx: Queryable, keyId: string): Promise<AuditEntry[]> {
  const stopped = await disableWebhooksOfKey(tx, keyId);
  return stopped.map((row) => ({
    entityType: 'webhook',
    entityId: row.id,
    action: 'disabled',
    details: { reason: 'creator_revoked', keyId },
  }));
}

/** Resumes the subscriptions stopped only because `keyId` was revoked, now that it is live again. */
export async function resumeSubscriptionsOf(tx: Queryable, keyId: string): Promise<AuditEntry[]> {
  const resumed = await enableWebhooksOfKey(tx, keyId);
  return resumed.map((row) => ({
    entityType: 'webhook',
    entityId: row.id,
    action: 'enabled',
    details: { previousReason: 'creator_revoked', keyId },
  }));
}

export async function deliveriesPage(
  db: Database,
  principal: Principal,
  webhookId: string,
  query: ListDeliveriesQuery,
) {
  await getWebhook(db, principal, webhookId);
  const before = decodeCursor(query.cursor, cursorKeys.sequence)?.[0];
  // One snapshot for both reads: an attempt committing in between would otherwise show beside the
  // delivery's state from before it.
  const { rows, attempts } = await inSnapshot(db, async (tx) => {
    const rows = await listDeliveries(tx, webhookId, { status: query.status }, query.limit, before);
    const attempts = await attemptsOf(
      tx,
      rows.slice(0, query.limit).map((row) => row.id),
    );
    return { rows, attempts };
  });
  return toPage(
    rows,
    query.limit,
    (row) => toDelivery(row, attempts.get(row.id)),
    (row) => [row.seq],
  );
}

/**
 * Sends a delivery again: it goes back to the head of the subscription's queue with a fresh day of
 * retries. Asking for a re-send says the receiver is back, so a disabled subscription is enabled.
 */
export async function resendDelivery(
  db: Database,
  principal: Principal,
  webhookId: string,
  deliveryId: string,
): Promise<Delivery> {
  const webhook = await getWebhook(db, principal, webhookId);
  const delivery = await findDelivery(db, webhookId, deliveryId);
  if (!delivery) throw notFound('Delivery');
  if (delivery.status === 'pending') throw conflict('The delivery is already queued; it will be attempted again');
  await inTransaction(db, async (tx) => {
    await requeueDelivery(tx, deliveryId);
    // Now, even when the subscription is waiting out a backoff; enabled again if it was disabled.
    await enableWebhook(tx, webhookId, webhook.status === 'disabled' ? principal.keyId : undefined);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'webhook',
      entityId: webhookId,
      action: 'delivery_resent',
      details: { deliveryId, ...(webhook.status === 'disabled' ? { enabled: true } : {}) },
    });
  });
  const requeued = (await findDelivery(db, webhookId, deliveryId))!;
  return toDelivery(requeued, (await attemptsOf(db, [deliveryId])).get(deliveryId));
}
