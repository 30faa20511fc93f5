import { and, asc, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { themes } from '../../db/schema/index.js';
import type { Theme } from './themes.schemas.js';

export async function listActiveThemes(db: Queryable): Promise<Theme[]> {
  return db
    .select({ code: themes.code, label: themes.label })
    .from(themes)
    .where(isNull(themes.retiredAt))
    .orderBy(asc(themes.position), asc(themes.code));
}

/** The codes among `codes` that are not in the active vocabulary. */
export async function unknownThemeCodes(db: Queryable, codes: readonly string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const found = await db
    .select({ code: themes.code })
    .from(themes)
    .where(and(inArray(themes.code, [...codes]), isNull(themes.retiredAt)));
  const known = new Set(found.map((row) => row.code));
  return [...new Set(codes)].filter((code) => !known.has(code));
}

export async function replaceThemes(db: Queryable, list: readonly Theme[]): Promise<void> {
  const codes = list.map((theme) => theme.code);
  await db
    .update(themes)
    .set({ retiredAt: sql`now()` })
    .where(and(notInArray(themes.code, codes), isNull(themes.retiredAt)));
  await db
    .insert(themes)
    .values(list.map((theme, index) => ({ code: theme.code, label: theme.label, position: index + 1 })))
    .onConflictDoUpdate({
      target: themes.code,
      set: { label: sql`excluded.label`, position: sql`excluded.position`, retiredAt: sql`null` },
    });
}
