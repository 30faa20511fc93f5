import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import type { EventSignal } from '../events/event-signal.js';
import { buildReplyMessage } from './replies.messages.js';
import {
  holdsReplyLease,
  type LeasedReply,
  leaseDueReplies,
  loadReplyContext,
  type ReplyContext,
  type ReplyOutcome,
  recordReplyOutcome,
  releaseReplyLease,
} from './replies-delivery.repository.js';
import { type ReplyProviders, recipientOf, type SendChannel } from './reply-providers.js';

const hourMs = 3_600_000;
/** A reply still failing this long after it was written is given up as failed, with the last reason. */
const giveUpAfterMs = 72 * hourMs;
const pollMs = 1_000;
/** Replies sent side by side: a slow provider holds up one lane, not all. */
const lanes = 2;

/** Exponential backoff with ±20% jitter: about 10 s, 20 s, 40 s … then hourly. */
function retryDelayMs(attempts: number): number {
  const base = Math.min(10_000 * 2 ** Math.max(0, attempts - 1), hourMs);
  return Math.round(base * (0.8 + 0.4 * Math.random()));
}

export interface ReplyWorkerOptions {
  publicBaseUrl: string;
  providers: ReplyProviders;
  /** How long a provider has to accept one reply; the lease is sized from it. */
  sendTimeoutMs: number;
  log: FastifyBaseLogger;
}

/**
 * Sends queued replies to the person (DESIGN section 5), the way the webhook worker delivers
 * events: at least once, with backoff on temporary failures. A lease in the reply row makes one
 * instance at a time send it; an instance that dies mid-send loses its lease when it lapses, and
 * the reply is sent again by whoever takes it next (an email keeps its Message-ID, a Notify
 * request its reference, so the repeat is recognisable). The contact is read when the lease is
 * taken, so an erased item, or a person who no longer wants a reply, is sent nothing.
 */
export class ReplyWorker {
  readonly #db: Database;
  readonly #signal: EventSignal;
  readonly #options: ReplyWorkerOptions;
  readonly #leaseMs: number;
  #stopping = false;
  #running: Promise<void> | undefined;

  constructor(db: Database, signal: EventSignal, options: ReplyWorkerOptions) {
    this.#db = db;
    this.#signal = signal;
    this.#options = options;
    // An SMTP exchange may take a timeout per step (connect, greeting, data), and the writes around it.
    this.#leaseMs = 4 * options.sendTimeoutMs + 5_000;
  }

  start(): void {
    this.#running ??= Promise.all(Array.from({ length: lanes }, () => this.#lane())).then(() => undefined);
  }

  /**
   * Stops taking work; a send in flight finishes and is recorded (or, if the process is killed
   * first, its lease lapses and the reply is sent again later).
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#running;
    for (const provider of Object.values(this.#options.providers)) if ('close' in provider) provider.close();
  }

  async #lane(): Promise<void> {
    while (!this.#stopping) {
      let sent = false;
      try {
        const [reply] = await leaseDueReplies(this.#db, 1, this.#leaseMs);
        if (reply) {
          sent = true;
          await this.#send(reply);
        }
      } catch (err) {
        // Database trouble only: provider failures are outcomes, and their reasons stay on the reply.
        this.#options.log.warn({ err }, 'reply sending failed');
      }
      if (!sent && !this.#stopping) await this.#signal.wait(pollMs);
    }
  }

  async #send(lease: LeasedReply): Promise<void> {
    const context = await loadReplyContext(this.#db, lease.id);
    if (context?.status !== 'queued' || context.channel === 'in_person') {
      await releaseReplyLease(this.#db, lease.id, lease.leaseToken);
      return;
    }
    const { outcome, attempts } = await this.#attempt(context, context.channel, lease);
    const recorded = await inTransaction(this.#db, async (tx) => {
      // Erased or handed over meanwhile, or the lease lapsed and another instance has it: leave it.
      if (!(await holdsReplyLease(tx, lease.id, lease.leaseToken))) return false;
      await recordReplyOutcome(tx, lease.id, attempts, outcome);
      return true;
    });
    if (recorded && outcome.status !== 'sent' && outcome.status !== 'queued') {
      this.#options.log.warn({ replyId: lease.id, status: outcome.status }, 'reply not sent');
    }
  }

  /** Sends the reply when it can be sent; what came of it, and the attempts made so far. */
  async #attempt(
    context: ReplyContext,
    channel: SendChannel,
    lease: LeasedReply,
  ): Promise<{ outcome: ReplyOutcome; attempts: number }> {
    const { contact } = context;
    const unsent = (outcome: ReplyOutcome) => ({ outcome, attempts: lease.attempts });
    if (contact?.wantsReply !== true)
      return unsent({ status: 'cancelled', lastError: 'The person no longer wants a reply' });
    const provider = this.#options.providers[channel];
    if ('unavailable' in provider) return unsent({ status: 'undeliverable', lastError: provider.unavailable });
    const recipient = recipientOf(channel, contact);
    if ('missing' in recipient) return unsent({ status: 'undeliverable', lastError: recipient.missing });
    if (channel === 'letter' && context.facts.largePrint) {
      // Notify prints letters in one size: a large-print answer is printed here (the reply slip).
      return unsent({
        status: 'undeliverable',
        lastError: 'GOV.UK Notify cannot print large print: print the large-print reply slip and post or hand it over',
      });
    }
    const message = buildReplyMessage(context.facts, this.#options.publicBaseUrl);
    const result = await provider.send({ id: context.id, message, name: contact.name, to: recipient.to });
    const attempts = lease.attempts + 1;
    if (result.ok) return { outcome: { status: 'sent', providerReference: result.providerReference }, attempts };
    if (!result.temporary) return { outcome: { status: 'failed', lastError: result.reason }, attempts };
    if (Date.now() - lease.createdAt.getTime() >= giveUpAfterMs) {
      return {
        outcome: { status: 'failed', lastError: `Gave up after ${attempts} attempts: ${result.reason}` },
        attempts,
      };
    }
    const nextAttemptAt = new Date(Date.now() + retryDelayMs(attempts));
    return { outcome: { status: 'queued', lastError: result.reason, nextAttemptAt }, attempts };
  }
}
