import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import Negotiator from 'negotiator';
import { z } from 'zod';
import { dataAsOfHeader, sendsDataAsOf } from '../../http/data-as-of.js';
import { problemResponse } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import { closureCsv, equityCsv, fftCsv, recommendationsCsv, themesColumns, themesCsv, toCsv } from './reports.csv.js';
import {
  closureDefinitions,
  equityDefinitions,
  fftDefinitions,
  fftReturnDefinitions,
  recommendationsDefinitions,
  themesDefinitions,
} from './reports.definitions.js';
import {
  closureQuerySchema,
  closureReportSchema,
  equityQuerySchema,
  equityReportSchema,
  reportQuerySchema,
  themesReportSchema,
} from './reports.schemas.js';
import { closureReport, equityReport, themesReport } from './reports.service.js';
import { fftQuerySchema, fftReportSchema, fftReturnQuerySchema } from './reports-fft.schemas.js';
import { fftReport, fftReturn } from './reports-fft.service.js';
import { recommendationsReportQuerySchema, recommendationsReportSchema } from './reports-recommendations.schemas.js';
import { recommendationsReport } from './reports-recommendations.service.js';

const reportReaders = { roles: ['auditor', 'staff'] } as const;

/**
 * CSV when asked by `format=csv`, or when `Accept` prefers `text/csv` to JSON (weights and wildcards
 * as HTTP defines them, read by the maintained `negotiator`), unless `format=json` says otherwise.
 */
function wantsCsv(request: FastifyRequest, format: 'json' | 'csv' | undefined): boolean {
  if (format) return format === 'csv';
  return new Negotiator(request.raw).mediaType(['application/json', 'text/csv']) === 'text/csv';
}

const jsonOrCsv = <T extends z.ZodType>(schema: T, csvDescription: string) => ({
  description: 'The report: JSON, or CSV when asked; `Data-As-Of` (as `dataAsOf`) says how fresh its figures are',
  headers: dataAsOfHeader,
  content: {
    'application/json': { schema },
    'text/csv': { schema: z.string().describe(csvDescription) },
  },
});

/** A `unitId` the key cannot see is answered like an unknown one. */
const unknownUnit = problemResponse('`not-found`: `unitId` names no unit the key may see');

/** A report's JSON, with its `dataAsOf` in `Data-As-Of` too, as its CSV form has. */
const sendJson = <Report extends { dataAsOf: string }>(reply: FastifyReply, report: Report) =>
  sendsDataAsOf(reply, report.dataAsOf).send(report);

function sendCsv(
  reply: FastifyReply,
  name: string,
  report: { period: { asOf: string }; dataAsOf: string },
  csv: string,
) {
  const day = report.period.asOf.slice(0, 10);
  return sendsDataAsOf(reply, report.dataAsOf)
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}-${day}.csv"`)
    .send(csv);
}

const fftReturnColumns = [
  'month',
  'odsCode',
  'unitCode',
  'unitName',
  'collectionMode',
  'veryGood',
  'good',
  'neitherGoodNorPoor',
  'poor',
  'veryPoor',
  'dontKnow',
  'total',
] as const;

export const reportsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/reports/closure', {
    config: { auth: reportReaders },
    schema: {
      operationId: 'getClosureReport',
      tags: ['reports'],
      summary: 'Closure figures: do we close the loop, how fast, where do we fall behind',
      description: closureDefinitions,
      querystring: closureQuerySchema,
      produces: ['application/json', 'text/csv'],
      response: {
        200: jsonOrCsv(
          closureReportSchema,
          'Header row `key,[unitCode,unitName,odsCode,]received,open,…` then one row per group; without `groupBy` the header lists the figures and one row holds the totals',
        ),
        404: unknownUnit,
      },
    },
    handler: async (request, reply) => {
      const report = await closureReport(app.reads, principalOf(request), request.query);
      if (wantsCsv(request, request.query.format)) return sendCsv(reply, 'closure-report', report, closureCsv(report));
      return sendJson(reply, report);
    },
  });

  app.get('/reports/themes', {
    config: { auth: reportReaders },
    schema: {
      operationId: 'getThemesReport',
      tags: ['reports'],
      summary: 'What people keep telling us: items per theme and month, against the month before',
      description: themesDefinitions,
      querystring: reportQuerySchema,
      produces: ['application/json', 'text/csv'],
      response: {
        200: jsonOrCsv(
          themesReportSchema,
          `Header row \`${themesColumns.join(',')}\` then one row per theme and month`,
        ),
        404: unknownUnit,
      },
    },
    handler: async (request, reply) => {
      const report = await themesReport(app.reads, principalOf(request), request.query);
      if (wantsCsv(request, request.query.format)) return sendCsv(reply, 'themes-report', report, themesCsv(report));
      return sendJson(reply, report);
    },
  });

  app.get('/reports/fft', {
    config: { auth: reportReaders },
    schema: {
      operationId: 'getFftReport',
      tags: ['reports'],
      summary: 'Friends and Family Test figures: the six answers, positive and negative percentages',
      description: fftDefinitions,
      querystring: fftQuerySchema,
      produces: ['application/json', 'text/csv'],
      response: {
        200: jsonOrCsv(
          fftReportSchema,
          'Header row `key,[unitCode,unitName,odsCode,]veryGood,…,suppressed` then one row per group, percentages in whole percents; without `groupBy` the header lists the figures and one row holds the totals',
        ),
        404: unknownUnit,
      },
    },
    handler: async (request, reply) => {
      const report = await fftReport(app.reads, principalOf(request), request.query);
      if (wantsCsv(request, request.query.format)) return sendCsv(reply, 'fft-report', report, fftCsv(report));
      return sendJson(reply, report);
    },
  });

  app.get('/reports/fft/return', {
    config: { auth: { roles: ['auditor'] } },
    schema: {
      operationId: 'getFftReturn',
      tags: ['reports'],
      summary: 'The Friends and Family Test monthly return: counts per ODS code and collection mode',
      description: fftReturnDefinitions,
      querystring: fftReturnQuerySchema,
      produces: ['text/csv'],
      response: {
        200: {
          description: 'The return; `Data-As-Of` says how fresh its counts are',
          headers: dataAsOfHeader,
          content: {
            'text/csv': {
              schema: z
                .string()
                .describe(`Header row \`${fftReturnColumns.join(',')}\` then one row per ODS code and collection mode`),
            },
          },
        },
      },
    },
    handler: async (request, reply) => {
      const result = await fftReturn(app.reads, principalOf(request), request.query);
      const rows = result.rows.map((row) => ({ month: result.month, ...row }));
      return sendsDataAsOf(reply, result.dataAsOf)
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="fft-return-${result.month}.csv"`)
        .send(toCsv(fftReturnColumns, rows));
    },
  });

  app.get('/reports/recommendations', {
    config: { auth: reportReaders },
    schema: {
      operationId: 'getRecommendationsReport',
      tags: ['reports'],
      summary:
        'The lived-experience panel: recommendations made, accepted, declined and done, and how fast they were answered',
      description: recommendationsDefinitions,
      querystring: recommendationsReportQuerySchema,
      produces: ['application/json', 'text/csv'],
      response: {
        200: jsonOrCsv(
          recommendationsReportSchema,
          'Header row `key,[unitCode,unitName,]made,accepted,declined,done,open,medianDaysToResponse,doneShare` then one row per group; without `groupBy` the header lists the figures and one row holds the totals',
        ),
        404: unknownUnit,
      },
    },
    handler: async (request, reply) => {
      const report = await recommendationsReport(app.reads, principalOf(request), request.query);
      if (wantsCsv(request, request.query.format))
        return sendCsv(reply, 'recommendations-report', report, recommendationsCsv(report));
      return sendJson(reply, report);
    },
  });

  app.get('/reports/equity', {
    config: { auth: { roles: ['auditor'] } },
    schema: {
      operationId: 'getEquityReport',
      tags: ['reports'],
      summary:
        'Whose voices get worse outcomes: closure figures by one equality characteristic, with disclosure control',
      description: equityDefinitions,
      querystring: equityQuerySchema,
      produces: ['application/json', 'text/csv'],
      response: {
        200: jsonOrCsv(
          equityReportSchema,
          'Header row `key,received,closed,closureRate,closedWithinTargetRate,suppressed`, one row per group then a `total` row; withheld cells are empty',
        ),
        404: unknownUnit,
      },
    },
    handler: async (request, reply) => {
      const report = await equityReport(app.reads, principalOf(request), request.query);
      if (!wantsCsv(request, request.query.format)) return sendJson(reply, report);
      return sendCsv(reply, 'equity-report', report, equityCsv(report));
    },
  });
};
