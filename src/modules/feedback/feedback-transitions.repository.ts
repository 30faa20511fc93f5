import type { Queryable } from '../../db/client.js';
import { insertFromJson } from '../../db/rows.js';
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
  // Keys left out read as null: a new item's `received` is its id and status only.
  const rows = transitions.map(({ feedbackId, fromStatus, toStatus, actionId, decisionId, reason }) => ({
    feedback_id: feedbackId,
    to_status: toStatus,
    ...(fromStatus !== null && { from_status: fromStatus }),
    ...(actionId != null && { action_id: actionId }),
    ...(decisionId != null && { decision_id: decisionId }),
    ...(reason != null && { reason }),
  }));
  await tx.execute(
    insertFromJson(
      feedbackTransitions,
      {
        feedback_id: 'uuid',
        from_status: 'text',
        to_status: 'text',
        action_id: 'uuid',
        decision_id: 'uuid',
        reason: 'text',
      },
      rows,
    ),
  );
}
