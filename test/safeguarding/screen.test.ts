import t from 'tap';
import { buildScreen } from '../../src/modules/safeguarding/safeguarding.screen.js';

t.test('matching: whole words, any case, any accents', async (t) => {
  const screen = buildScreen(['suicide', 'self-harm', 'abuse', 'hit me', 'kill myself']);
  const cases: [string, string[]][] = [
    ['Suicide', ['suicide']],
    ['I thought about SUÏCIDE last night', ['suicide']],
    ['ＳＵＩＣＩＤＥ (full-width letters)', ['suicide']],
    ['I self-harm when the ward is loud', ['self-harm']],
    ['he hit\n  me again', ['hit me']],
    ['I want to kill myself. And there was abuse.', ['abuse', 'kill myself']],
    ['Abuse!', ['abuse']],
    // Whole words only: the letters around a phrase make another word.
    ['The abusers were sent away', []],
    ['I was disabused of the idea', []],
    ['the hit meant a lot', []],
    ['self-harming', []],
    ['suicide_watch', []],
    ['Nothing to flag here', []],
  ];
  for (const [text, expected] of cases) t.same(screen.matches([text]), expected, JSON.stringify(text));
  t.same(screen.matches([null, undefined, 'no', 'hit me']), ['hit me'], 'youSaid is screened as well as text');
  t.same(buildScreen([]).matches(['suicide']), [], 'an empty list flags nothing');
  t.same(buildScreen(['Suïcide']).matches(['suicide']), ['Suïcide'], 'the phrase answers as the list wrote it');

  const screenAll = buildScreen(['kill myself', 'suicide', 'end my life', 'self harm', 'self-harm', 'overdose']);
  const texts = Array.from(
    { length: 1000 },
    (_, i) => `${'The food was cold and the nights are long. '.repeat(200)}${i}`,
  );
  const flagged = texts.map((text) => screenAll.matches([text])).filter((found) => found.length > 0);
  t.equal(flagged.length, 0, 'a 1,000-item batch of 8,000-character texts is screened in one pass each');
});
