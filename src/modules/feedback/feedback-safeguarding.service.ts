import type { Database } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { checkIfMatch } from '../../http/etag.js';
import { illegalTransition, notFound } from '../../http/problems.js';
import { appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal } from '../auth/auth.service.js';
import { touchBoards } from '../units/units.board-version.js';
import { lockFeedback, updateFeedbackRow } from './feedback.repository.js';
import type { Feedback, SetSafeguarding } from './feedback.schemas.js';
import { principalSeesItem } from './feedback-access.js';
import { getFeedbackItem } from './feedback-read.service.js';

/**
 * POST /v1/feedback/{id}/safeguarding: staff flag an item by hand, or mark a flagged one `reviewed`
 * or `cleared`, which lets it back onto public surfaces. Only an item that was flagged can be
 * reviewed or cleared (409 otherwise); a status it already has changes nothing. The change is
 * audited with the note, the boards are redrawn, and the database announces `feedback.safeguarding`.
 */
export async function setSafeguarding(
  db: Database,
  principal: Principal,
  id: string,
  input: SetSafeguarding,
  ifMatch: string | undefined,
): Promise<Feedback> {
  await inTransaction(db, async (tx) => {
    const row = await lockFeedback(tx, id);
    if (!row || !principalSeesItem(principal, row)) throw notFound('Feedback');
    checkIfMatch(ifMatch, row.version);
    if (row.safeguarding === input.status) return;
    if (row.safeguarding === 'none' && input.status !== 'flagged') {
      throw illegalTransition(`Only a flagged item can be marked ${input.status}; this one was never flagged`);
    }
    await updateFeedbackRow(tx, id, { safeguarding: input.status });
    await touchBoards(tx, [row.unitId]);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'feedback',
      entityId: id,
      action: 'safeguarding_changed',
      details: { from: row.safeguarding, to: input.status, ...(input.note ? { note: input.note } : {}) },
    });
  });
  return getFeedbackItem(db, principal, id);
}
