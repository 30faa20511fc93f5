import type { Database } from '../../db/client.js';
import { isConnectionLost, isDatabaseUnavailable } from '../../db/errors.js';
import { inTransaction } from '../../db/transaction.js';
import {
  type ClaimOutcome,
  claimKeys,
  type IdempotencyClaim,
  releaseKeys,
  type StoredResponse,
  storeResponses,
} from '../../http/idempotency.js';
import { HttpProblem } from '../../http/problems.js';
import { type Actor, type AuditEntry, appendAuditBy } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import type { CreateFeedback, FeedbackView } from './feedback.schemas.js';
import { viewFor } from './feedback-access.js';
import {
  type CheckedFeedback,
  checkIntake,
  loadIntakeLookups,
  receivedAudit,
  writeFeedbackItems,
} from './feedback-intake.service.js';
import { toFeedback } from './feedback-view.js';

/** One POST /v1/feedback waiting for a commit. */
export interface IntakeRequest {
  principal: Principal;
  input: CreateFeedback;
  /** Absent without an Idempotency-Key. */
  idempotency?: IdempotencyClaim | undefined;
  /** The reply for the recorded item: the one sent and, under an Idempotency-Key, the one stored. */
  respond: (item: FeedbackView) => StoredResponse<FeedbackView>;
}

interface Waiting {
  request: IntakeRequest;
  done: (response: StoredResponse<FeedbackView>) => void;
  fail: (error: unknown) => void;
}

/** Requests of one group: enough to share the commit, few enough that one group stays short. */
const maxGroupSize = 200;

const keyOf = (claim: IdempotencyClaim) => JSON.stringify([claim.apiKeyId, claim.key]);

/**
 * Records POST /v1/feedback requests with group commit: requests that arrive while earlier groups
 * are being written wait, and then share one transaction, one audit-chain lock and one commit. A
 * request alone is written at once. Every request gets its own answer only after the commit of its
 * group, and one request's refusal (its unit, its themes, its externalRef, its Idempotency-Key)
 * never touches the others'. Should a group fail as a whole for another reason, each of its
 * requests is written again alone, so it gets the answer it would have had alone.
 */
export class IntakeQueue {
  readonly #db: Database;
  readonly #maxGroups: number;
  #waiting: Waiting[] = [];
  #running = 0;

  /** `maxGroups`: groups written at once (one prepares its rows while another commits). */
  constructor(db: Database, options: { maxGroups: number }) {
    this.#db = db;
    this.#maxGroups = options.maxGroups;
  }

  /** Records one item; resolves with its reply once its group has committed. */
  submit(request: IntakeRequest): Promise<StoredResponse<FeedbackView>> {
    return new Promise((done, fail) => {
      this.#waiting.push({ request, done, fail });
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#running < this.#maxGroups && this.#waiting.length > 0) {
      const group = this.#take();
      this.#running++;
      void this.#write(group).finally(() => {
        this.#running--;
        this.#drain();
      });
    }
  }

  /** The next group in arrival order; a second request with one Idempotency-Key waits for the next. */
  #take(): Waiting[] {
    const group: Waiting[] = [];
    const rest: Waiting[] = [];
    const keys = new Set<string>();
    for (const waiting of this.#waiting) {
      const claim = waiting.request.idempotency;
      if (group.length >= maxGroupSize || (claim && keys.has(keyOf(claim)))) {
        rest.push(waiting);
        continue;
      }
      if (claim) keys.add(keyOf(claim));
      group.push(waiting);
    }
    this.#waiting = rest;
    return group;
  }

  async #write(group: Waiting[]): Promise<void> {
    let outcomes: (StoredResponse<FeedbackView> | HttpProblem)[];
    try {
      outcomes = await recordGroup(
        this.#db,
        group.map((waiting) => waiting.request),
      );
    } catch (error) {
      if (group.length === 1 || isConnectionLost(error) || isDatabaseUnavailable(error)) {
        for (const waiting of group) waiting.fail(error);
        return;
      }
      for (const waiting of group) await this.#write([waiting]);
      return;
    }
    outcomes.forEach((outcome, index) => {
      const waiting = group[index]!;
      if (outcome instanceof HttpProblem) waiting.fail(outcome);
      else waiting.done(outcome);
    });
  }
}

/**
 * Writes a group of requests in one transaction: the intake rules checked per request with the
 * look-ups read once, the Idempotency-Keys claimed in the transaction, the items written as one set,
 * the stored replies and the audit events (last) each in one statement. Answers per request its
 * reply (a replay included) or its problem.
 */
async function recordGroup(
  db: Database,
  requests: readonly IntakeRequest[],
): Promise<(StoredResponse<FeedbackView> | HttpProblem)[]> {
  const lookups = await loadIntakeLookups(
    db,
    requests.map((request) => request.input),
  );
  const now = Date.now();
  const checked = requests.map((request) => checkIntake(request.principal, request.input, lookups, now));
  return inTransaction(db, async (tx) => {
    const outcomes: (StoredResponse<FeedbackView> | HttpProblem | undefined)[] = checked.map((item) =>
      item instanceof HttpProblem ? item : undefined,
    );
    const claiming = requests.flatMap((request, index) =>
      outcomes[index] === undefined && request.idempotency ? [index] : [],
    );
    const claimed: ClaimOutcome[] = await claimKeys(
      tx,
      claiming.map((index) => requests[index]!.idempotency!),
    );
    claiming.forEach((index, k) => {
      // A replay is the stored reply of this same operation, so it has the shape `respond` gives.
      if (claimed[k]) outcomes[index] = claimed[k] as StoredResponse<FeedbackView> | HttpProblem;
    });

    const writing = requests.flatMap((_, index) => (outcomes[index] === undefined ? [index] : []));
    const written = await writeFeedbackItems(
      tx,
      writing.map((index) => checked[index] as CheckedFeedback),
    );
    const replies: { claim: IdempotencyClaim; response: StoredResponse }[] = [];
    const released: IdempotencyClaim[] = [];
    const audit: { actor: Actor; entry: AuditEntry }[] = [];
    writing.forEach((index, k) => {
      const request = requests[index]!;
      const row = written[k]!;
      if (row instanceof HttpProblem) {
        outcomes[index] = row;
        if (request.idempotency) released.push(request.idempotency);
        return;
      }
      const response = request.respond(viewFor(request.principal, toFeedback(row, request.principal)));
      outcomes[index] = response;
      if (request.idempotency) replies.push({ claim: request.idempotency, response });
      audit.push({ actor: actorOf(request.principal), entry: receivedAudit(row.id, request.input) });
    });
    await storeResponses(tx, replies);
    await releaseKeys(tx, released);
    await appendAuditBy(tx, audit);
    return outcomes as (StoredResponse<FeedbackView> | HttpProblem)[];
  });
}
