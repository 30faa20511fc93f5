import { z } from 'zod';
import { dataAsOfSchema } from '../../http/data-as-of.js';
import { periodSchema, reportQuerySchema } from './reports.schemas.js';

export const recommendationGroupings = ['unit', 'month'] as const;
export type RecommendationGrouping = (typeof recommendationGroupings)[number];

export const recommendationsReportQuerySchema = reportQuerySchema
  .pick({ to: true, asOf: true, unitId: true, format: true })
  .extend({
    from: reportQuerySchema.shape.from.describe(
      'Start of the period, inclusive (recommendations by when they were made). Default: 12 months before `to`',
    ),
    groupBy: z
      .enum(recommendationGroupings)
      .optional()
      .describe('`unit`: the unit the recommendation is for; `month`: the UTC month it was made'),
  });

export const recommendationFiguresSchema = z
  .object({
    made: z.number().int().describe('Recommendations made in the period'),
    accepted: z.number().int().describe('Of those, accepted at `asOf` (done ones included)'),
    declined: z.number().int().describe('Of those, declined at `asOf`'),
    done: z.number().int().describe('Of those, done at `asOf`'),
    open: z.number().int().describe('Of those, still waiting for an answer (proposed) at `asOf`'),
    medianDaysToResponse: z
      .number()
      .nullable()
      .describe('Median days from made to the first answer (accepted or declined), of those answered; 2 decimals'),
    doneShare: z.number().min(0).max(1).nullable().describe('`done` ÷ `accepted`; null when none was accepted'),
  })
  .meta({
    id: 'RecommendationFigures',
    description: 'See the definitions in the description of `GET /v1/reports/recommendations`.',
  });

export const recommendationGroupSchema = recommendationFiguresSchema
  .extend({
    key: z.string().describe('The group: a unit id, or a UTC month `YYYY-MM`'),
    unitCode: z.string().optional().describe('For `groupBy=unit`'),
    unitName: z.string().optional().describe('For `groupBy=unit`'),
  })
  .meta({ id: 'RecommendationGroup' });

export const recommendationsReportSchema = z
  .object({
    period: periodSchema,
    dataAsOf: dataAsOfSchema,
    groupBy: z.enum(recommendationGroupings).nullable(),
    totals: recommendationFiguresSchema,
    groups: z.array(recommendationGroupSchema).describe('Empty without `groupBy`; units by code, months in order'),
  })
  .meta({ id: 'RecommendationsReport' });

export type RecommendationsReportQuery = z.infer<typeof recommendationsReportQuerySchema>;
export type RecommendationFigures = z.infer<typeof recommendationFiguresSchema>;
export type RecommendationsReport = z.infer<typeof recommendationsReportSchema>;
