import type { Database, Queryable } from '../../db/client.js';
import { inTransaction } from '../../db/transaction.js';
import { checkIfMatch } from '../../http/etag.js';
import { appendAudit } from '../audit/audit.service.js';
import { actorOf, type Principal, requireUnscoped } from '../auth/auth.service.js';
import { findPhraseList, type PhraseListRow, replacePhraseList } from './safeguarding.repository.js';
import type { SafeguardingPhrases } from './safeguarding.schemas.js';
import { buildScreen, type SafeguardingScreen } from './safeguarding.screen.js';

const toView = (row: PhraseListRow): SafeguardingPhrases => ({
  phrases: row.phrases,
  version: row.version,
  updatedAt: row.updatedAt.toISOString(),
});

export async function getPhrases(db: Queryable): Promise<SafeguardingPhrases> {
  return toView(await findPhraseList(db));
}

/** The screen of the current list, for one intake request (one item or a whole batch). */
export async function loadScreen(db: Queryable): Promise<SafeguardingScreen> {
  return buildScreen((await findPhraseList(db)).phrases);
}

/**
 * Replaces the whole list, audited with the phrases before and after (a list of words to look for,
 * never anyone's feedback). The list is shared by the whole trust, so only an unscoped admin key
 * may replace it. A stale If-Match answers 412.
 */
export async function replacePhrases(
  db: Database,
  principal: Principal,
  phrases: readonly string[],
  ifMatch: string | undefined,
): Promise<SafeguardingPhrases> {
  requireUnscoped(principal, 'The safeguarding phrase list');
  return inTransaction(db, async (tx) => {
    const before = await findPhraseList(tx, { lock: true });
    checkIfMatch(ifMatch, before.version);
    const after = await replacePhraseList(tx, phrases);
    await appendAudit(tx, actorOf(principal), {
      entityType: 'safeguarding_phrases',
      entityId: 'list',
      action: 'replaced',
      details: {
        added: phrases.filter((phrase) => !before.phrases.includes(phrase)),
        removed: before.phrases.filter((phrase) => !phrases.includes(phrase)),
        count: phrases.length,
      },
    });
    return toView(after);
  });
}
