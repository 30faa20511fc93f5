import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/client.js';
import { cursorKeys, decodeCursor, toPage } from '../../http/pagination.js';
import { conflict, invalidField, notFound } from '../../http/problems.js';
import { type Actor, appendAudit } from '../audit/audit.service.js';
import { findUnit } from '../units/units.repository.js';
import { refuseTarget } from './webhook-targets.js';
import {
  type AttemptRow,
  attemptsOf,
  type DeliveryRow,
  deleteWebhook,
  enableWebhook,
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
    disabledReason: row.disabledReason as Webhook['disabledReason'],
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
 * the URL must reach a public address unless the operator allows private targets.
 */
export async function createWebhook(
  db: Database,
  actor: Actor,
  input: CreateWebhook,
  allowPrivateTargets: boolean,
): Promise<Webhook & { secret: string }> {
  const refusal = await refuseTarget(input.url, allowPrivateTargets);
  if (refusal) throw invalidField('/url', refusal);
  if (input.unitId && !(await findUnit(db, input.unitId))) throw invalidField('/unitId', 'No such unit');
  const secret = newSecret();
  const row = await db.transaction(async (tx) => {
    const created = await insertWebhook(tx, {
      url: input.url,
      eventTypes: input.eventTypes,
      unitId: input.unitId ?? null,
      description: input.description ?? null,
      secret,
      createdByKeyId: actor.keyId,
    });
    await appendAudit(tx, actor, {
      entityType: 'webhook',
      entityId: created.id,
      action: 'created',
      details: { eventTypes: input.eventTypes, unitId: input.unitId ?? null, fields: Object.keys(input).sort() },
    });
    return created;
  });
  return { ...toWebhook(row), secret };
}

export async function listAllWebhooks(db: Database): Promise<Webhook[]> {
  return (await listWebhooks(db)).map(toWebhook);
}

export async function getWebhook(db: Database, id: string): Promise<WebhookRow> {
  const row = await findWebhook(db, id);
  if (!row) throw notFound('Webhook');
  return row;
}

/** Ends a subscription and its queue; the events themselves stay in the feed. */
export async function removeWebhook(db: Database, actor: Actor, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    if (!(await deleteWebhook(tx, id))) throw notFound('Webhook');
    await appendAudit(tx, actor, { entityType: 'webhook', entityId: id, action: 'deleted' });
  });
}

export async function deliveriesPage(db: Database, webhookId: string, query: ListDeliveriesQuery) {
  await getWebhook(db, webhookId);
  const before = decodeCursor(query.cursor, cursorKeys.sequence)?.[0];
  const rows = await listDeliveries(db, webhookId, { status: query.status }, query.limit, before);
  const attempts = await attemptsOf(
    db,
    rows.slice(0, query.limit).map((row) => row.id),
  );
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
  actor: Actor,
  webhookId: string,
  deliveryId: string,
): Promise<Delivery> {
  const webhook = await getWebhook(db, webhookId);
  const delivery = await findDelivery(db, webhookId, deliveryId);
  if (!delivery) throw notFound('Delivery');
  if (delivery.status === 'pending') throw conflict('The delivery is already queued; it will be attempted again');
  await db.transaction(async (tx) => {
    await requeueDelivery(tx, deliveryId);
    // Now, even when the subscription is waiting out a backoff; enabled again if it was disabled.
    await enableWebhook(tx, webhookId);
    await appendAudit(tx, actor, {
      entityType: 'webhook',
      entityId: webhookId,
      action: 'delivery_resent',
      details: { deliveryId, ...(webhook.status === 'disabled' ? { enabled: true } : {}) },
    });
  });
  const requeued = (await findDelivery(db, webhookId, deliveryId))!;
  return toDelivery(requeued, (await attemptsOf(db, [deliveryId])).get(deliveryId));
}
