import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { appendAudit, systemActor } from '../audit/audit.service.js';
import type { EventSignal } from '../events/event-signal.js';
import { isBefore, readFeed } from '../events/events.repository.js';
import { toEvent } from '../events/events.service.js';
import { type DeliveryOutcome, postMessage, signedHeaders } from './webhook-sender.js';
import {
  type DeliveryRow,
  disableWebhook,
  headDelivery,
  holdsLease,
  insertAttempt,
  insertDeliveries,
  type LeasedWebhook,
  leaseDueWebhooks,
  moveCursor,
  releaseLease,
  updateDelivery,
} from './webhooks.repository.js';

const hourMs = 3_600_000;
/** Retries go on for at least a day before a delivery is given up and its subscription disabled. */
const giveUpAfterMs = 24 * hourMs;
const pollMs = 1_000;
/** Subscriptions delivered for side by side: a slow receiver holds up only its own lane. */
const lanes = 4;
const eventsPerRead = 200;

/** Exponential backoff with ±20% jitter: about 5 s, 10 s, 20 s … then hourly. */
function retryDelayMs(attempts: number): number {
  const base = Math.min(5_000 * 2 ** Math.max(0, attempts - 1), hourMs);
  return Math.round(base * (0.8 + 0.4 * Math.random()));
}

export interface WebhookWorkerOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  log: FastifyBaseLogger;
}

/**
 * Delivers the outbox to webhook subscriptions: at least once, one at a time and in feed order per
 * subscription. A lease in the subscription row makes one instance at a time deliver for it; an
 * instance that dies mid-run loses its lease when it lapses, and the delivery it was making is made
 * again by whoever takes it next. A small loop of our own, because the job-queue libraries we
 * looked at need a PostgreSQL server and cannot run on the embedded database.
 */
export class WebhookWorker {
  readonly #db: Database;
  readonly #signal: EventSignal;
  readonly #options: WebhookWorkerOptions;
  readonly #leaseMs: number;
  readonly #stopping = new AbortController();
  #running: Promise<void> | undefined;

  constructor(db: Database, signal: EventSignal, options: WebhookWorkerOptions) {
    this.#db = db;
    this.#signal = signal;
    this.#options = options;
    // Room for one attempt that hits its timeout at the end of a run, and the writes around it.
    this.#leaseMs = 3 * options.timeoutMs + 5_000;
  }

  start(): void {
    this.#running ??= Promise.all(Array.from({ length: lanes }, () => this.#lane())).then(() => undefined);
  }

  /** Stops taking work, abandons an attempt in flight (made again later) and hands leases back. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#running;
  }

  /** Leases one due subscription at a time and delivers for it; rests when there was nothing to send. */
  async #lane(): Promise<void> {
    while (!this.#stopping.signal.aborted) {
      let attempts = 0;
      try {
        const [webhook] = await leaseDueWebhooks(this.#db, 1, this.#leaseMs);
        if (webhook) attempts = await this.#deliverFor(webhook);
      } catch (err) {
        if (!(err instanceof LeaseLost)) this.#options.log.warn({ err }, 'webhook delivery failed');
      }
      if (attempts === 0 && !this.#stopping.signal.aborted) await this.#signal.wait(pollMs);
    }
  }

  /** Delivers for one leased subscription until its queue is empty or waiting; returns the attempts made. */
  async #deliverFor(webhook: LeasedWebhook): Promise<number> {
    // Stop early enough that the last attempt and its record fit in the lease.
    const deadline = Date.now() + this.#leaseMs - this.#options.timeoutMs - 5_000;
    let nextAttemptAt: Date | null = null;
    let attempts = 0;
    try {
      while (!this.#stopping.signal.aborted && Date.now() < deadline) {
        const head = await headDelivery(this.#db, webhook.id);
        if (!head) {
          if (await this.#enqueueNewEvents(webhook)) continue;
          break;
        }
        if (head.nextAttemptAt.getTime() > Date.now()) {
          nextAttemptAt = head.nextAttemptAt;
          break;
        }
        const outcome = await this.#attempt(webhook, head);
        attempts++;
        if (this.#stopping.signal.aborted) break;
        const delivered = await this.#record(webhook, head, outcome);
        if (!delivered) {
          nextAttemptAt = (await headDelivery(this.#db, webhook.id))?.nextAttemptAt ?? null;
          break;
        }
      }
    } finally {
      await releaseLease(this.#db, webhook.id, webhook.leaseToken, nextAttemptAt).catch((err: unknown) =>
        this.#options.log.warn({ err, webhookId: webhook.id }, 'could not release a webhook lease'),
      );
    }
    return attempts;
  }

  /**
   * Reads the outbox past the subscription's cursor and queues what it subscribes to. A subscription
   * disabled for longer than EVENT_RETENTION_DAYS resumes with the oldest event kept: what it had not
   * read then has been pruned, and the log says so.
   */
  async #enqueueNewEvents(webhook: LeasedWebhook): Promise<boolean> {
    const { rows, next, prunedThrough } = await readFeed(this.#db, webhook.cursor, eventsPerRead, {
      types: webhook.eventTypes,
      within: webhook.unitId ? [webhook.unitId] : [],
    });
    if (isBefore(webhook.cursor, prunedThrough)) {
      this.#options.log.warn(
        { webhookId: webhook.id },
        'webhook subscription resumes after events it had not read were pruned (EVENT_RETENTION_DAYS)',
      );
    }
    if (next.seq === webhook.cursor.seq && next.position === webhook.cursor.position) return false;
    await inTransaction(this.#db, async (tx) => {
      if (!(await holdsLease(tx, webhook.id, webhook.leaseToken))) throw new LeaseLost();
      await insertDeliveries(
        tx,
        webhook.id,
        rows.map((row) => row.position),
      );
      await moveCursor(tx, webhook.id, next);
    });
    webhook.cursor = next;
    return rows.length > 0;
  }

  #attempt(webhook: LeasedWebhook, delivery: DeliveryRow): Promise<DeliveryOutcome> {
    const body = JSON.stringify(
      toEvent({
        id: delivery.eventId,
        type: delivery.eventType,
        occurredAt: delivery.eventOccurredAt,
        unitId: delivery.eventUnitId,
        data: delivery.eventData,
      }),
    );
    const headers = signedHeaders(webhook.secret, { id: delivery.eventId, body });
    return postMessage(webhook.url, headers, body, {
      timeoutMs: this.#options.timeoutMs,
      allowPrivate: this.#options.allowPrivate,
      signal: this.#stopping.signal,
    });
  }

  /** Writes the attempt and what follows from it; true when delivered. */
  async #record(webhook: LeasedWebhook, delivery: DeliveryRow, outcome: DeliveryOutcome): Promise<boolean> {
    const delivered = outcome.statusCode !== undefined && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const now = new Date();
    const firstAttemptAt = delivery.firstAttemptAt ?? now;
    const gone = outcome.statusCode === 410;
    const givenUp = gone || (!delivered && now.getTime() - firstAttemptAt.getTime() >= giveUpAfterMs);
    const attemptCount = delivery.attemptCount + 1;
    await inTransaction(this.#db, async (tx) => {
      if (!(await holdsLease(tx, webhook.id, webhook.leaseToken))) throw new LeaseLost();
      await insertAttempt(tx, {
        deliveryId: delivery.id,
        attemptedAt: now,
        statusCode: outcome.statusCode ?? null,
        error: outcome.error ?? (delivered ? null : `HTTP ${outcome.statusCode}`),
        durationMs: outcome.durationMs,
      });
      await updateDelivery(tx, delivery.id, {
        attemptCount,
        firstAttemptAt,
        ...(delivered
          ? { status: 'delivered', deliveredAt: now }
          : givenUp
            ? { status: 'failed' }
            : { nextAttemptAt: new Date(now.getTime() + retryDelayMs(attemptCount)) }),
      });
      if (givenUp) {
        const reason = gone ? 'gone' : 'failing';
        await disableWebhook(tx, webhook.id, reason);
        await appendAudit(tx, systemActor, {
          entityType: 'webhook',
          entityId: webhook.id,
          action: 'disabled',
          details: { reason, deliveryId: delivery.id, attempts: attemptCount },
        });
      }
    });
    if (givenUp) this.#options.log.warn({ webhookId: webhook.id, gone }, 'webhook subscription disabled');
    return delivered;
  }
}

/** Another instance took the subscription over (this one overran its lease): stop quietly. */
class LeaseLost extends Error {
  override name = 'LeaseLost';
}
