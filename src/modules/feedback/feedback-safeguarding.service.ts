import type { Database, Transaction } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { checkIfMatch } from '../../http/etag.js';
import { illegalTransition, notFound } from '../../http/problems.js';
import type { Actor } from '../audit/audit.service.js';
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
    await updateFeedbackRow(tx, id, {
      safeguarding: input.status,
      // Why it waits for a person: a hand flag is the staff member's reason; review keeps the first.
      ...(input.status === 'flagged' ? { safeguardingReason: 'staff' as const } : {}),
    });
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

/**
 * A file the screen cannot read (a voice note, a video, a picture) was attached by an intake key:
 * the item is flagged for a person to look at or listen to before anything of it can reach a public
 * surface, with `unscreened_file` as the reason staff see, in the caller's transaction (so the flag
 * and the file are kept together, and `feedback.safeguarding` is announced at commit). An item
 * already flagged stays as it is; a reviewed or cleared one waits again, since the file is new.
 */
export async function flagUnscreenedFile(tx: Transaction, actor: Actor, id: string): Promise<void> {
  const row = await lockFeedback(tx, id);
  if (!row || row.safeguarding === 'flagged') return;
  await updateFeedbackRow(tx, id, { safeguarding: 'flagged', safeguardingReason: 'unscreened_file' });
  await touchBoards(tx, [row.unitId]);
  await appendAudit(tx, actor, {
    entityType: 'feedback',
    entityId: id,
    action: 'safeguarding_changed',
    details: { from: row.safeguarding, to: 'flagged', reason: 'unscreened_file' },
  });
}
