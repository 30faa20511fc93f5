import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { safeguardingPhraseList } from '../../db/schema/index.js';

export interface PhraseListRow {
  phrases: string[];
  version: number;
  updatedAt: Date;
}

const columns = {
  phrases: safeguardingPhraseList.phrases,
  version: safeguardingPhraseList.version,
  updatedAt: safeguardingPhraseList.updatedAt,
};

/** The phrase list; migration 0019 writes its one row, so it is always there. */
export async function findPhraseList(db: Queryable, options: { lock?: boolean } = {}): Promise<PhraseListRow> {
  const query = db.select(columns).from(safeguardingPhraseList).where(eq(safeguardingPhraseList.id, true));
  const [row] = await (options.lock ? query.for('update') : query);
  if (!row) throw new Error('the safeguarding phrase list is missing: run the migrations');
  return row;
}

export async function replacePhraseList(db: Queryable, phrases: readonly string[]): Promise<PhraseListRow> {
  const [row] = await db
    .update(safeguardingPhraseList)
    .set({ phrases: [...phrases], version: sql`${safeguardingPhraseList.version} + 1`, updatedAt: sql`now()` })
    .where(eq(safeguardingPhraseList.id, true))
    .returning(columns);
  return row!;
}
