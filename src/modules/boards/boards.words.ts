import { inTen } from '../feedback/fft.js';
import type { BoardEntryType } from './boards.schemas.js';

/**
 * The words of the board, in one place for the server-rendered page and the refresh script.
 * Plain English, short sentences; the Easy Read set keeps one idea to a sentence.
 */
export const boardWords = {
  standard: {
    youSaid: 'You said',
    labels: { we_did: 'We did', we_are_doing: 'We are doing', we_couldnt: 'We couldn’t, because' },
    dates: {
      we_did: 'Done on',
      we_are_doing_planned: 'Planned for',
      we_are_doing: 'Started on',
      we_couldnt: 'Decided on',
    },
    // The board page lists every summary; the wall screen lists a few and counts the rest.
    moreOne: '1 other person said something like this.',
    moreMany: '{n} other people said something like this.',
    fft: {
      share:
        '{n} in 10 people said their experience was good or very good. {total} people answered the Friends and Family Test.',
      all: 'All {total} people who answered the Friends and Family Test said their experience was good or very good.',
      most: 'More than 9 in 10 people said their experience was good or very good. {total} people answered the Friends and Family Test.',
      few: 'Fewer than 1 in 10 people said their experience was good or very good. {total} people answered the Friends and Family Test.',
    },
  },
  easyRead: {
    youSaid: 'You said',
    labels: {
      we_did: 'We did this',
      we_are_doing: 'We are doing this',
      we_couldnt: 'We could not do this. This is why',
    },
    dates: {
      we_did: 'Done in',
      we_are_doing_planned: 'Ready in',
      we_are_doing: 'Started in',
      we_couldnt: 'Decided in',
    },
    moreOne: '1 other person said something like this.',
    moreMany: '{n} other people said something like this.',
    fft: {
      share: 'We asked {total} people how it was here. {n} in 10 people said it was good or very good.',
      all: 'We asked {total} people how it was here. They all said it was good or very good.',
      most: 'We asked {total} people how it was here. Almost all of them said it was good or very good.',
      few: 'We asked {total} people how it was here. Fewer than 1 in 10 people said it was good or very good.',
    },
  },
} as const satisfies Record<
  string,
  {
    youSaid: string;
    labels: Record<BoardEntryType, string>;
    dates: Record<BoardEntryType | 'we_are_doing_planned', string>;
    moreOne: string;
    moreMany: string;
    fft: Record<'share' | 'all' | 'most' | 'few', string>;
  }
>;

export type BoardWords = (typeof boardWords)[keyof typeof boardWords];

/** "1 other person …" / "3 other people …": the Easy Read line under the first summary. */
export const moreSaid = (words: BoardWords, others: number): string =>
  others === 1 ? words.moreOne : words.moreMany.replace('{n}', String(others));

/**
 * The board's Friends and Family Test line: the share of answers that were good or very good, in
 * tenths rounded half up ("9 in 10 people said …"); "all" only when every answer was, and never
 * "10 in 10" or "0 in 10" for a share that is not. Mirrored by fftLine() in the refresh script.
 */
export function fftSentence(words: BoardWords, fft: { responses: number; positive: number }): string {
  const tenths = inTen(fft.positive, fft.responses);
  const template =
    fft.positive === fft.responses
      ? words.fft.all
      : tenths === 10
        ? words.fft.most
        : tenths === 0
          ? words.fft.few
          : words.fft.share;
  return template.replace('{n}', String(tenths)).replace('{total}', String(fft.responses));
}

/**
 * The lived-experience panel's entries: what it recommended, then the board's own "We did" / "We are
 * doing" / "We couldn't, because" label with our answer; never who recommended it. The label
 * stands alone on the wall screen, where the entries turn without the section's heading.
 */
export const panelWords = {
  standard: {
    heading: 'Our lived experience panel',
    intro: 'People with lived experience of our services read what you told us and recommend changes.',
    recommended: 'Our lived experience panel recommended',
    doneOn: 'Done on',
    answeredOn: 'Answered on',
  },
  easyRead: {
    heading: 'Ideas from people who use our services',
    intro: 'Some people who use our services read what you told us. They tell us what to change.',
    recommended: 'People who use our services told us',
    doneOn: 'Done in',
    answeredOn: 'Answered in',
  },
} as const;
