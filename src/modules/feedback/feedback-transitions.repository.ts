import type { Queryable } from '../../db/client.js';
import type { FeedbackStatus } from '../../db/schema/enums.js';
import { feedbackTransitions } from '../../db/schema/index.js';

export interface Transition {
  feedbackId: string;
  fromStatus: FeedbackStatus | null;
  toStatus: FeedbackStatus;
  /** The action whose link or completion caused the move. */
  actionId?: string | null;
  /** The decision that closed the item. */
  decisionId?: string | null;
  /** Why (reopen reason, cancellation reason). */
  reason?: string | null;
}

/**
 * Records status moves in the item's history, in the caller's transaction. Reports rebuild any
 * past moment (`asOf`) from this history, so every status change must pass through here.
 */
export async function recordTransitions(tx: Queryable, transitions: readonly Transition[]): Promise<void> {
  if (transitions.length === 0) return;
  await tx.insert(feedbackTransitions).values(
    transitions.map((transition) => ({
      feedbackId: transition.feedbackId,
      fromStatus: transition.fromStatus,
      toStatus: transition.toStatus,
      actionId: transition.actionId ?? null,
      decisionId: transition.decisionId ?? null,
      reason: transition.reason ?? null,
    })),
  );
}
