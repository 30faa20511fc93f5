import { z } from 'zod';
import { dataAsOfSchema } from '../../http/data-as-of.js';
import { londonMidnight } from '../calendar/london-time.js';

export const fftGroupings = ['unit', 'month'] as const;
export type FftGrouping = (typeof fftGroupings)[number];

/** An instant, or a bare date meaning 00:00 Europe/London on that day (FFT months are London months). */
const londonInstant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((value) => (value.length === 10 ? londonMidnight(value) : new Date(value)));

const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month, YYYY-MM')
  .refine((value) => value >= '1900-01', 'a month from 1900-01');

const format = z
  .enum(['json', 'csv'])
  .optional()
  .describe('`csv` answers `text/csv` (as does `Accept: text/csv`); default JSON');

const asOf = londonInstant
  .optional()
  .describe('Rebuild the figures as they read at this moment, from the recorded rating history. Default: now');

export const fftQuerySchema = z.object({
  from: londonInstant
    .optional()
    .describe(
      'Start of the period, inclusive (items by `receivedAt`); a bare date is 00:00 Europe/London. Default: 12 months before `to`',
    ),
  to: londonInstant
    .optional()
    .describe('End of the period, exclusive; a bare date is 00:00 Europe/London. Default: `asOf`'),
  asOf,
  unitId: z
    .uuid()
    .optional()
    .describe('This unit and its descendants. Default: everything the key may see (its unit scope, if any)'),
  groupBy: z
    .enum(fftGroupings)
    .optional()
    .describe('`unit`: the unit the response is about; `month`: the Europe/London calendar month received'),
  format,
});

export const fftReturnQuerySchema = z.object({
  month: month.describe('The Europe/London calendar month, `YYYY-MM`'),
  asOf,
});

const percent = z.number().min(0).max(100).nullable();

export const fftFiguresSchema = z
  .object({
    veryGood: z.number().int(),
    good: z.number().int(),
    neitherGoodNorPoor: z.number().int(),
    poor: z.number().int(),
    veryPoor: z.number().int(),
    dontKnow: z.number().int(),
    responses: z.number().int().describe('All six added up, "don’t know" included'),
    positivePercent: percent.describe('(veryGood + good) ÷ responses × 100, 2 decimals; null when suppressed'),
    negativePercent: percent.describe('(poor + veryPoor) ÷ responses × 100, 2 decimals; null when suppressed'),
    suppressed: z.boolean().describe('True when the percentages are withheld because there are too few responses'),
  })
  .meta({ id: 'FftFigures', description: 'See the definitions in the description of `GET /v1/reports/fft`.' });

export const fftGroupSchema = fftFiguresSchema
  .extend({
    key: z.string().describe('The group: a unit id, or a Europe/London month `YYYY-MM`'),
    unitCode: z.string().optional().describe('For `groupBy=unit`'),
    unitName: z.string().optional().describe('For `groupBy=unit`'),
    odsCode: z.string().nullable().optional().describe('For `groupBy=unit`: the unit’s own ODS code, if it has one'),
  })
  .meta({ id: 'FftGroup' });

export const fftReportSchema = z
  .object({
    period: z.object({
      from: z.iso.datetime(),
      to: z.iso.datetime(),
      asOf: z.iso.datetime(),
      unitId: z.uuid().nullable().describe('The subtree reported on; null for everything'),
    }),
    dataAsOf: dataAsOfSchema,
    groupBy: z.enum(fftGroupings).nullable(),
    totals: fftFiguresSchema,
    groups: z.array(fftGroupSchema).describe('Empty without `groupBy`; units by code, months in order'),
  })
  .meta({ id: 'FftReport' });

export type FftQuery = z.infer<typeof fftQuerySchema>;
export type FftReturnQuery = z.infer<typeof fftReturnQuerySchema>;
export type FftFigures = z.infer<typeof fftFiguresSchema>;
export type FftReport = z.infer<typeof fftReportSchema>;
