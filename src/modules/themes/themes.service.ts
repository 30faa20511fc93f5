import type { Database } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal, requireUnscoped } from '../auth/auth.service.js';
import { listActiveThemes, replaceThemes } from './themes.repository.js';
import type { Theme } from './themes.schemas.js';

/** The whole vocabulary fits one page: the list shape without a next cursor. */
export async function listThemes(db: Database): Promise<{ items: Theme[]; nextCursor: null }> {
  return { items: await listActiveThemes(db), nextCursor: null };
}

/**
 * Replaces the vocabulary with `list`, in its order, audited; themes left out are retired (items
 * keep them). The vocabulary is shared by the whole trust, so only an unscoped key may replace it.
 */
export async function replaceVocabulary(db: Database, principal: Principal, list: readonly Theme[]) {
  requireUnscoped(principal, 'The theme vocabulary');
  await inTransaction(db, async (tx) => {
    await replaceThemes(tx, list);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'themes',
      entityId: 'vocabulary',
      action: 'replaced',
      details: { codes: list.map((theme) => theme.code) },
    });
  });
  return listThemes(db);
}
