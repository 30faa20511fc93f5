import type { Database } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { requireIfMatch } from '../../http/etag.js';
import { invalidField, notFound } from '../../http/problems.js';
import { appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { unknownThemeCodes } from '../themes/themes.repository.js';
import { touchBoards } from '../units/units.board-version.js';
import {
  deleteEquality,
  deleteStoredResponsesFor,
  type FeedbackRow,
  lockFeedback,
  updateFeedbackRow,
} from './feedback.repository.js';
import type { Feedback, UpdateFeedback } from './feedback.schemas.js';
import { principalSeesItem } from './feedback-access.js';
import { getFeedbackItem } from './feedback-read.service.js';
import { recordTransitions } from './feedback-transitions.repository.js';

/** The fields of a triage edit whose value differs from the stored row. */
function changedTriageFields(row: FeedbackRow, input: UpdateFeedback): UpdateFeedback {
  const changed: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input) as [keyof UpdateFeedback, unknown][]) {
    const stored: unknown = row[field];
    const same = Array.isArray(value)
      ? Array.isArray(stored) && value.length === stored.length && value.every((v, i) => v === stored[i])
      : value === stored;
    if (!same) changed[field] = value;
  }
  return changed as UpdateFeedback;
}

/**
 * A correction of the FFT answer is recorded with its old and new value: the rating is what the
 * trust is judged on, so who changed it, and from what, must be on the audit trail.
 */
function fftCorrections(
  row: FeedbackRow,
  changed: UpdateFeedback,
): Record<string, { from: string | null; to: string | null }> {
  const corrections: Record<string, { from: string | null; to: string | null }> = {};
  if (changed.fftRating !== undefined) corrections.fftRating = { from: row.fftRating, to: changed.fftRating };
  if (changed.collectionMode !== undefined) {
    corrections.collectionMode = { from: row.collectionMode, to: changed.collectionMode };
  }
  return corrections;
}

/**
 * PATCH /v1/feedback/{id}: triage edits under a row lock, compared with the required If-Match. The
 * first edit of a `received` item is its triage and moves it to `in_review`. An edit that changes
 * no stored value writes nothing: no new version, no event, no audit entry, no triage.
 */
export async function updateFeedback(
  db: Database,
  principal: Principal,
  id: string,
  input: UpdateFeedback,
  ifMatch: string | undefined,
): Promise<Feedback> {
  if (input.themes) {
    const unknown = await unknownThemeCodes(db, input.themes);
    if (unknown.length > 0) throw invalidField('/themes', `Not in the theme vocabulary: ${unknown.join(', ')}`);
  }
  const edit = input.themes ? { ...input, themes: [...new Set(input.themes)] } : input;
  await inTransaction(db, async (tx) => {
    const row = await lockFeedback(tx, id);
    if (!row || !principalSeesItem(principal, row)) throw notFound('Feedback');
    requireIfMatch(ifMatch, row.version);
    const changed = changedTriageFields(row, edit);
    if (Object.keys(changed).length === 0) return;
    if (changed.fftRating === null && row.text === null) {
      throw invalidField(
        '/fftRating',
        'This response is an FFT rating alone: correct its rating, it cannot be cleared',
      );
    }
    const triage = row.status === 'received';
    await updateFeedbackRow(tx, id, { ...changed, ...(triage ? { status: 'in_review' as const } : {}) });
    if (triage) await recordTransitions(tx, [{ feedbackId: id, fromStatus: 'received', toStatus: 'in_review' }]);
    // The board shows consented summaries and the share of positive FFT ratings.
    if (changed.youSaid !== undefined || changed.publishConsent !== undefined || changed.fftRating !== undefined) {
      await touchBoards(tx, [row.unitId]);
    }
    await appendAudit(tx, actorOf(principal), {
      entityType: 'feedback',
      entityId: id,
      action: 'updated',
      details: {
        fields: Object.keys(changed).sort(),
        ...(triage ? { status: 'in_review' } : {}),
        ...fftCorrections(row, changed),
      },
    });
  });
  return getFeedbackItem(db, principal, id);
}

/**
 * POST /v1/feedback/{id}/erase: removes the private text, contact details, equality answers, the
 * externalRef and any stored idempotent reply for good; status, dates, unit, kind, channel and
 * themes stay, so counts stay true. `youSaid` is kept only when the person consented to its
 * publication: it is then public text already; without consent it is a staff summary of private
 * words and goes with them. The externalRef can be a patient identifier, so it goes too, and with it
 * deduplication: re-sending it records a new item. Erasing an erased item changes nothing.
 */
export async function eraseFeedback(db: Database, principal: Principal, id: string): Promise<Feedback> {
  await inTransaction(db, async (tx) => {
    const row = await lockFeedback(tx, id);
    if (!row || !principalSeesItem(principal, row)) throw notFound('Feedback');
    if (row.erasedAt !== null) return;
    const youSaidErased = !row.publishConsent && row.youSaid !== null;
    const externalRefErased = row.externalSystem !== null;
    await updateFeedbackRow(tx, id, {
      text: null,
      contact: null,
      externalSystem: null,
      externalId: null,
      erasedAt: new Date(),
      // Derived from the words, so they go with them; the status stays, as the counts do.
      safeguardingMatches: [],
      ...(youSaidErased ? { youSaid: null } : {}),
    });
    await deleteEquality(tx, id);
    await deleteStoredResponsesFor(tx, id);
    await touchBoards(tx, [row.unitId]);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'feedback',
      entityId: id,
      action: 'erased',
      details: {
        fields: [
          'text',
          'contact',
          'equality',
          ...(externalRefErased ? ['externalRef'] : []),
          ...(youSaidErased ? ['youSaid'] : []),
        ],
      },
    });
  });
  return getFeedbackItem(db, principal, id);
}
