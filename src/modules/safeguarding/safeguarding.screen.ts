/**
 * Normalises words for matching: compatibility decomposition (NFKD), combining marks removed, lower
 * case, each run of white space one space. "Suïcide", "SUICIDE" and "suicide" compare equal; so do a
 * ligature or a full-width letter and its plain form.
 */
export function normaliseWords(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/gu, ' ').trim();
}

// A letter, digit or "_" in any script: a phrase matches only where none is on either side.
const wordChar = String.raw`[\p{L}\p{N}_]`;
// The syntax characters only: the `u` flag refuses an escaped "-" outside a class.
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, String.raw`\$&`);
const phrasePattern = (phrase: string) => escapeRegExp(phrase).replace(/ /g, String.raw`\s+`);

/** Screens texts against one phrase list; built once per list and reused for a whole batch. */
export interface SafeguardingScreen {
  /** The phrases of the list found as whole words in any of the texts, in list order; empty when none. */
  matches(texts: readonly (string | null | undefined)[]): string[];
}

/**
 * Builds the screen for a phrase list. Whole words only: "abuse" matches "Abuse!" and "abuse," but
 * not "abusers" or "disabused", since the letters around it make another word. One combined pattern
 * scans each text once, so a 1,000-item batch costs one pass per text; only a text that matches is
 * looked at phrase by phrase to name every phrase it holds.
 */
export function buildScreen(phrases: readonly string[]): SafeguardingScreen {
  // Each normalised phrase answers as the list wrote it first.
  const written = new Map<string, string>();
  for (const phrase of phrases) {
    const key = normaliseWords(phrase);
    if (key.length > 0 && !written.has(key)) written.set(key, phrase);
  }
  const normalised = [...written.keys()];
  if (normalised.length === 0) return { matches: () => [] };
  const around = (body: string) => new RegExp(`(?<!${wordChar})(?:${body})(?!${wordChar})`, 'u');
  // Longest first, so that of two phrases starting at one place the longer is tried first.
  const any = around(
    [...normalised]
      .sort((a, b) => b.length - a.length)
      .map(phrasePattern)
      .join('|'),
  );
  const each = normalised.map((key) => ({ phrase: written.get(key)!, pattern: around(phrasePattern(key)) }));
  return {
    matches(texts) {
      const words = texts.flatMap((text) => (text ? [normaliseWords(text)] : []));
      if (!words.some((text) => any.test(text))) return [];
      return each.filter(({ pattern }) => words.some((text) => pattern.test(text))).map(({ phrase }) => phrase);
    },
  };
}
