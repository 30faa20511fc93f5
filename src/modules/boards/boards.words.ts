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
    moreOne: '',
    moreMany: '',
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
  },
} as const satisfies Record<
  string,
  {
    youSaid: string;
    labels: Record<BoardEntryType, string>;
    dates: Record<BoardEntryType | 'we_are_doing_planned', string>;
    moreOne: string;
    moreMany: string;
  }
>;

export type BoardWords = (typeof boardWords)[keyof typeof boardWords];

/** "1 other person …" / "3 other people …": the Easy Read line under the first summary. */
export const moreSaid = (words: BoardWords, others: number): string =>
  others === 1 ? words.moreOne : words.moreMany.replace('{n}', String(others));
