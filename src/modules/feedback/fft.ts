/**
 * Counts of people up to this many are withheld (the NHS HES rule): the equity report withholds
 * such counts, and the FFT report and the board withhold percentages of fewer responses than
 * `smallestShownCount`, since a percentage of one or two responses on a small ward names people.
 */
export const largestWithheldCount = 7;
export const smallestShownCount = largestWithheldCount + 1;

/** The six FFT answer counts, named as the FFT report names them. */
export interface FftCounts {
  veryGood: number;
  good: number;
  neitherGoodNorPoor: number;
  poor: number;
  veryPoor: number;
  dontKnow: number;
}

/** Every response counts, "don't know" included, as NHS England publishes the FFT. */
export const fftResponses = (counts: FftCounts): number =>
  counts.veryGood + counts.good + counts.neitherGoodNorPoor + counts.poor + counts.veryPoor + counts.dontKnow;

/**
 * `part` ÷ `whole` × 100 rounded half up to `decimals` places, in integer arithmetic so that an
 * exact half (1 of 8 is 12.5 %) always rounds up, never down by a binary fraction's error.
 */
export function percentHalfUp(part: number, whole: number, decimals: 0 | 2): number {
  const scale = 10 ** decimals;
  return Math.floor((2 * 100 * scale * part + whole) / (2 * whole)) / scale;
}

/** `part` in 10 of `whole`, rounded half up: the board's "9 in 10 people said …". */
export const inTen = (part: number, whole: number): number => Math.floor((2 * 10 * part + whole) / (2 * whole));
