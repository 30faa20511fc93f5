import type { Principal } from '../auth/auth.service.js';
import type { DecisionRow, FeedbackRow } from './feedback.repository.js';
import type { Feedback } from './feedback.schemas.js';
import { mayReadContact, mayReadText } from './feedback-access.js';

interface Related {
  actionIds?: string[] | undefined;
  decision?: DecisionRow | undefined;
}

/** The Feedback view of a row, redacted for the principal: `contact` and `text` are left out unless allowed. */
export function toFeedback(
  row: FeedbackRow,
  principal: Principal,
  related: Related = {},
  options: { includeText?: boolean } = {},
): Feedback {
  const view: Feedback = {
    id: row.id,
    reference: row.reference,
    unitId: row.unitId,
    youSaid: row.youSaid,
    publishConsent: row.publishConsent,
    reviewConsent: row.reviewConsent,
    kind: row.kind,
    channel: row.channel,
    submitterRole: row.submitterRole,
    format: row.format,
    themes: row.themes,
    externalRef:
      row.externalSystem !== null && row.externalId !== null
        ? { system: row.externalSystem, id: row.externalId }
        : null,
    receivedAt: row.receivedAt.toISOString(),
    dueAt: row.dueAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    acknowledgeBy: row.acknowledgeBy?.toISOString() ?? null,
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    status: row.status,
    version: row.version,
    actionIds: related.actionIds ?? [],
    decision: related.decision
      ? {
          reasonCode: related.decision.reasonCode,
          explanation: related.decision.explanation,
          referredTo: related.decision.referredTo,
          decidedAt: related.decision.decidedAt.toISOString(),
        }
      : null,
    erased: row.erasedAt !== null,
    fftRating: row.fftRating,
    collectionMode: row.collectionMode,
    safeguarding: row.safeguarding,
    safeguardingMatches: row.safeguardingMatches,
  };
  if (options.includeText && mayReadText(principal)) view.text = row.text;
  if (mayReadContact(principal)) view.contact = stripUndefined(row.contact);
  return view;
}

function stripUndefined(contact: FeedbackRow['contact']): Feedback['contact'] {
  if (!contact) return null;
  return Object.fromEntries(Object.entries(contact).filter(([, value]) => value !== undefined));
}
