import { z } from 'zod';
import { dataAsOfSchema } from '../../http/data-as-of.js';
import { channelSchema, feedbackKindSchema, submitterRoleSchema } from '../feedback/feedback.schemas.js';

/**
 * The equality characteristics a report may break down by: the `feedback_equality` columns, named
 * as in the `equality` object of feedback.
 */
export const reportCharacteristics = [
  'ageBand',
  'sex',
  'genderSameAsBirth',
  'ethnicGroup',
  'religion',
  'sexualOrientation',
  'disability',
  'pregnancyMaternity',
  'marriageCivilPartnership',
] as const;
export type ReportCharacteristic = (typeof reportCharacteristics)[number];

export const closureGroupings = ['unit', 'theme', 'channel', 'kind', 'submitterRole', 'month'] as const;
export type ClosureGrouping = (typeof closureGroupings)[number];

/** An instant: an ISO 8601 date-time with an offset (`2026-03-01T00:00:00Z`) or a date (midnight UTC). */
const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((value) => new Date(value.length === 10 ? `${value}T00:00:00Z` : value));

export const reportQuerySchema = z.object({
  from: instant
    .optional()
    .describe('Start of the period, inclusive (items by `receivedAt`). Default: 12 months before `to`'),
  to: instant.optional().describe('End of the period, exclusive. Default: `asOf`'),
  asOf: instant
    .optional()
    .describe('Rebuild the report as it read at this moment, from the recorded status history. Default: now'),
  unitId: z
    .uuid()
    .optional()
    .describe('This unit and its descendants. Default: everything the key may see (its unit scope, if any)'),
  kind: feedbackKindSchema.optional(),
  channel: channelSchema.optional(),
  theme: z.string().min(1).max(64).optional().describe('Only items carrying this theme code'),
  submitterRole: submitterRoleSchema.optional(),
  format: z
    .enum(['json', 'csv'])
    .optional()
    .describe('`csv` answers `text/csv` (as does `Accept: text/csv`); default JSON'),
});

export const closureQuerySchema = reportQuerySchema.extend({
  groupBy: z
    .enum(closureGroupings)
    .optional()
    .describe(
      'Break the figures down; `theme` counts an item in each of its themes, `month` is the UTC month received',
    ),
});

export const equityQuerySchema = reportQuerySchema.extend({
  characteristic: z.enum(reportCharacteristics).describe('The equality-monitoring question to break down by'),
});

const rate = z.number().min(0).max(1).nullable();
const days = z.number().nullable();

export const closureFiguresSchema = z
  .object({
    received: z.number().int(),
    open: z.number().int(),
    overdue: z.number().int(),
    closed: z.number().int(),
    actioned: z.number().int(),
    notActioned: z.number().int(),
    closureRate: rate,
    closedWithinTargetRate: rate,
    medianDaysToClose: days,
    p90DaysToClose: days,
    coproducedShare: rate,
    repliesWanted: z.number().int(),
    answersDelivered: z.number().int(),
    acknowledgedWithinTargetRate: rate,
    medianDaysToAcknowledge: days,
    followUpYes: z.number().int(),
    followUpPartly: z.number().int(),
    followUpNo: z.number().int(),
    safeguardingFlagged: z.number().int(),
  })
  .meta({ id: 'ClosureFigures', description: 'See the definitions in the description of `GET /v1/reports/closure`.' });

export const closureGroupSchema = closureFiguresSchema
  .extend({
    key: z
      .string()
      .describe(
        'The group: a unit id, theme code, channel, kind, submitter role or `YYYY-MM`; `not_recorded` for items without a value',
      ),
    unitCode: z.string().optional().describe('For `groupBy=unit`'),
    unitName: z.string().optional().describe('For `groupBy=unit`'),
    odsCode: z
      .string()
      .nullable()
      .optional()
      .describe('For `groupBy=unit`: the unit’s own ODS code, null when it has none'),
  })
  .meta({ id: 'ClosureGroup' });

export const periodSchema = z
  .object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    asOf: z.iso.datetime(),
    unitId: z.uuid().nullable().describe('The subtree reported on; null for everything'),
  })
  .meta({ id: 'ReportPeriod' });

export const closureReportSchema = z
  .object({
    period: periodSchema,
    dataAsOf: dataAsOfSchema,
    groupBy: z.enum(closureGroupings).nullable(),
    totals: closureFiguresSchema,
    groups: z.array(closureGroupSchema).describe('Empty without `groupBy`; ordered by key'),
  })
  .meta({ id: 'ClosureReport' });

export const themeTrendSchema = z
  .object({
    theme: z.string(),
    month: z.string().describe('UTC month received, `YYYY-MM`'),
    received: z.number().int(),
    closed: z.number().int().describe('Of those, closed at `asOf`'),
    closedShare: rate,
    previousReceived: z.number().int().describe('Received with this theme in the calendar month before'),
    change: z.number().int().describe('`received − previousReceived`'),
    changeRatio: z.number().nullable().describe('`received ÷ previousReceived`; null when the month before had none'),
  })
  .meta({ id: 'ThemeTrend' });

export const themesReportSchema = z
  .object({
    period: periodSchema,
    dataAsOf: dataAsOfSchema,
    rows: z.array(themeTrendSchema).describe('Ordered by month, then by change (largest rise first), then theme'),
  })
  .meta({ id: 'ThemesReport' });

/** A count of people after disclosure control: a multiple of 5, or null when withheld. */
const disclosed = z.number().int().multipleOf(5).nullable();

export const equityFiguresSchema = z
  .object({
    received: disclosed,
    closed: disclosed,
    closureRate: rate.describe('From the rounded counts: `closed ÷ received`; null when either is withheld'),
    closedWithinTargetRate: rate.describe(
      'From the rounded counts: closed within target ÷ `closed`; null when either is withheld',
    ),
    suppressed: z.boolean().describe('True when any figure of this row is withheld (null) to protect small numbers'),
  })
  .meta({ id: 'EquityFigures' });

export const equityGroupSchema = equityFiguresSchema
  .extend({
    key: z.string().describe('The answer given, `prefer_not_to_say`, or `not_recorded` when there is no answer'),
  })
  .meta({ id: 'EquityGroup' });

export const equityReportSchema = z
  .object({
    period: periodSchema,
    dataAsOf: dataAsOfSchema,
    characteristic: z.enum(reportCharacteristics),
    totals: equityFiguresSchema,
    groups: z.array(equityGroupSchema).describe('Ordered by key'),
  })
  .meta({ id: 'EquityReport' });

export type ReportQuery = z.infer<typeof reportQuerySchema>;
export type ClosureQuery = z.infer<typeof closureQuerySchema>;
export type EquityQuery = z.infer<typeof equityQuerySchema>;
export type ClosureFigures = z.infer<typeof closureFiguresSchema>;
export type ClosureReport = z.infer<typeof closureReportSchema>;
export type ThemesReport = z.infer<typeof themesReportSchema>;
export type EquityFigures = z.infer<typeof equityFiguresSchema>;
export type EquityGroup = z.infer<typeof equityGroupSchema>;
export type EquityReport = z.infer<typeof equityReportSchema>;
