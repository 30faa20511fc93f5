import { type Contact, storedContactSchema } from '../../db/schema/contact.js';
import type { Principal } from '../auth/auth.service.js';
import type { DecisionRow, FeedbackRow } from './feedback.repository.js';
import type { Feedback } from './feedback.schemas.js';
import { mayReadContact, mayReadText } from './feedback-access.js';

interface Related {
  actionIds?: string[] | undefined;
  decision?: DecisionRow | undefined;
}

/** The contact's fields in the order of its schema (jsonb keeps its own key order). */
const contactFields = Object.keys(storedContactSchema.shape) as (keyof Contact)[];

/**
 * The Feedback view of a row, redacted for the principal: `contact` and `text` are left out unless
 * allowed. Its fields are those of `feedbackSchema` in that schema's order, so `JSON.stringify` of it
 * is what the schema's serializer writes (the list route relies on this; test/feedback/read checks it).
 */
export function toFeedback(
  row: FeedbackRow,
  principal: Principal,
  related: Related = {},
  options: { includeText?: boolean } = {},
): Feedback {
  return {
    id: row.id,
    reference: row.reference,
    unitId: row.unitId,
    ...(options.includeText && mayReadText(principal) ? { text: row.text } : {}),
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
    ...(mayReadContact(principal) ? { contact: contactView(row.contact) } : {}),
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
    safeguardingReason: row.safeguardingReason,
  };
}

function contactView(contact: FeedbackRow['contact']): Feedback['contact'] {
  if (!contact) return null;
  const view: Record<string, unknown> = {};
  for (const field of contactFields) if (contact[field] !== undefined) view[field] = contact[field];
  return view as Contact;
}
