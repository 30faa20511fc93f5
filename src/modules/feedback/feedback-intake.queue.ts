import type { Database } from '../../db/client.js';
import { isConnectionLost, isDatabaseUnavailable } from '../../db/errors.js';
import { GroupCommit } from '../../db/group-commit.js';
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
import { insertFeedbackRows } from './feedback.repository.js';
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

const keyOf = (claim: IdempotencyClaim) => JSON.stringify([claim.apiKeyId, claim.key]);

/**
 * Records POST /v1/feedback requests with group commit (`GroupCommit`): a group shares one
 * transaction, one audit-chain lock and one commit. One request's refusal (its unit, its themes, its
 * externalRef, its Idempotency-Key) is its own answer. A second request with an Idempotency-Key
 * already in the group waits for a later group, since a group claims each key once (`claimKeys`);
 * its claim then finds how the first one ended. A lost connection or an unavailable database fails
 * the whole group: written alone, each request would only meet the same failure.
 *
 * `maxGroups`: groups written at once (one prepares its rows while another commits).
 */
export function intakeQueue(
  db: Database,
  options: { maxGroups: number },
): GroupCommit<IntakeRequest, StoredResponse<FeedbackView>> {
  return new GroupCommit({
    maxGroupSize: 200,
    maxGroups: options.maxGroups,
    exclusiveKey: (request) => request.idempotency && keyOf(request.idempotency),
    write: (requests) => recordGroup(db, requests),
    failsWholeGroup: (error) => isConnectionLost(error) || isDatabaseUnavailable(error),
  });
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
      insertFeedbackRows,
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
