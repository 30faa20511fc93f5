import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Reads } from '../../db/replica.js';
import type { Role } from '../../db/schema/enums.js';
import { dataAsOfHeader, sendsDataAsOf } from '../../http/data-as-of.js';
import { html, htmlResponse, type SafeHtml, sendPage } from '../../http/pages/html.js';
import { publicRateLimit } from '../../http/pages/rate-limit.js';
import { HttpProblem } from '../../http/problems.js';
import type { Principal } from '../auth/auth.service.js';
import { closureCsv, equityCsv, fftCsv, recommendationsCsv, themesCsv } from '../reports/reports.csv.js';
import {
  closureGroupings,
  closureQuerySchema,
  equityQuerySchema,
  reportCharacteristics,
  reportQuerySchema,
} from '../reports/reports.schemas.js';
import { closureReport, equityReport, themesReport } from '../reports/reports.service.js';
import { fftGroupings, fftQuerySchema } from '../reports/reports-fft.schemas.js';
import { fftReport } from '../reports/reports-fft.service.js';
import {
  recommendationGroupings,
  recommendationsReportQuerySchema,
} from '../reports/reports-recommendations.schemas.js';
import { recommendationsReport } from '../reports/reports-recommendations.service.js';
import { listUnits } from '../units/units.repository.js';
import { personOrSignIn } from './console.session.js';
import { renderChart } from './console-charts.js';
import {
  dataTable,
  figureOf,
  percentOf,
  type ReportForm,
  type ReportSummary,
  renderReportPage,
  renderReportProblemPage,
  renderReportRefusedPage,
  renderReportsIndexPage,
  words,
} from './console-reports.render.js';

const none = 'none to divide';
const suppressed = 'suppressed';

/** What a page needs of a report: its query schema, its service, its CSV and how it is drawn. */
interface ConsoleReport<Query, Report extends { period: { asOf: string }; dataAsOf: string }> extends ReportSummary {
  /** Roles that may read it besides admin: the same as its /v1 route. */
  roles: readonly Role[];
  query: z.ZodType<Query>;
  choices?: ReportForm['choices'];
  run: (reads: Reads, principal: Principal, query: Query) => Promise<Report>;
  csv: (report: Report) => string;
  draw: (report: Report) => Promise<SafeHtml>;
}

/** The `groupBy` choice of a report's form: by month first, the default. */
const breakdownBy = (groupings: readonly string[]): NonNullable<ReportForm['choices']> => ({
  name: 'groupBy',
  label: 'Break down by',
  options: ['month', ...groupings.filter((grouping) => grouping !== 'month')],
});

const groupLabel = (group: { key: string; unitName?: string | undefined }) => group.unitName ?? group.key;

const closure: ConsoleReport<z.infer<typeof closureQuerySchema>, Awaited<ReturnType<typeof closureReport>>> = {
  slug: 'closure',
  title: 'Closure report',
  question: 'Do we close the loop, how fast, and where do we fall behind?',
  roles: ['auditor', 'staff'],
  query: closureQuerySchema,
  choices: breakdownBy(closureGroupings),
  run: closureReport,
  csv: closureCsv,
  draw: async (report) => {
    const groups = report.groups;
    const rate = groups.map((g) => ({ label: groupLabel(g), value: g.closureRate }));
    const median = groups.map((g) => ({ label: groupLabel(g), value: g.medianDaysToClose }));
    return html`<h2>Closure rate</h2>
${await renderChart(rate, { title: 'Closure rate', description: `Share of the items received that were closed, by ${report.groupBy}.`, mark: 'bar', yTitle: 'Closed', percent: true, max: 1, missing: none })}
<h2>Time to close</h2>
${await renderChart(median, { title: 'Median days to close', description: `Median days from receiving an item to closing it, by ${report.groupBy}.`, mark: 'bar', yTitle: 'Median days', missing: 'none closed' })}
${dataTable(
  `Closure by ${report.groupBy}`,
  [
    { head: 'Group', cell: groupLabel },
    { head: 'Received', cell: (g) => g.received, numeric: true },
    { head: 'Closed', cell: (g) => g.closed, numeric: true },
    { head: 'Closure rate', cell: (g) => percentOf(g.closureRate, none), numeric: true },
    { head: 'Closed within target', cell: (g) => percentOf(g.closedWithinTargetRate, none), numeric: true },
    { head: 'Median days to close', cell: (g) => figureOf(g.medianDaysToClose, 'none closed'), numeric: true },
    { head: '90th percentile days', cell: (g) => figureOf(g.p90DaysToClose, 'none closed'), numeric: true },
    { head: 'Overdue', cell: (g) => g.overdue, numeric: true },
  ],
  [...groups, { ...report.totals, key: 'All items' }],
)}`;
  },
};

/** How many themes the trend chart follows: the ones that grew most in the last month. */
const themesCharted = 6;

const themes: ConsoleReport<z.infer<typeof reportQuerySchema>, Awaited<ReturnType<typeof themesReport>>> = {
  slug: 'themes',
  title: 'Themes report',
  question: 'What do people keep telling us, and which themes grow?',
  roles: ['auditor', 'staff'],
  query: reportQuerySchema,
  run: themesReport,
  csv: themesCsv,
  draw: async (report) => {
    const months = [...new Set(report.rows.map((row) => row.month))];
    const last = months.at(-1);
    const growing = report.rows
      .filter((row) => row.month === last)
      .sort((a, b) => b.change - a.change || a.theme.localeCompare(b.theme))
      .slice(0, themesCharted)
      .map((row) => row.theme);
    const trend = report.rows
      .filter((row) => growing.includes(row.theme))
      .map((row) => ({ label: row.month, value: row.received, series: row.theme }));
    return html`<h2>The themes that grow</h2>
${
  trend.length
    ? await renderChart(trend, {
        title: 'Items per theme and month',
        description: `Items received each month for the ${growing.length} themes that rose most in ${last}.`,
        mark: 'line',
        yTitle: 'Items received',
        missing: none,
      })
    : html`<p>No items with a theme in this period.</p>`
}
${dataTable(
  'Items per theme and month, against the month before',
  [
    { head: 'Theme', cell: (row) => row.theme },
    { head: 'Month', cell: (row) => row.month },
    { head: 'Received', cell: (row) => row.received, numeric: true },
    { head: 'Month before', cell: (row) => row.previousReceived, numeric: true },
    { head: 'Change', cell: (row) => (row.change > 0 ? `+${row.change}` : row.change), numeric: true },
    { head: 'Closed', cell: (row) => percentOf(row.closedShare, none), numeric: true },
  ],
  report.rows,
)}`;
  },
};

const equity: ConsoleReport<z.infer<typeof equityQuerySchema>, Awaited<ReturnType<typeof equityReport>>> = {
  slug: 'equity',
  title: 'Equity report',
  question: 'Whose voices get worse outcomes? Closure by one equality question, small numbers withheld.',
  roles: ['auditor'],
  query: equityQuerySchema,
  choices: { name: 'characteristic', label: 'Equality question', options: reportCharacteristics },
  run: equityReport,
  csv: equityCsv,
  draw: async (report) => {
    const shown = (value: number | null, row: { suppressed: boolean }) => value ?? (row.suppressed ? suppressed : none);
    const rate = report.groups.map((g) => ({ label: g.key, value: g.closureRate }));
    const question = words(report.characteristic);
    return html`<p>Counts are rounded to the nearest 5; a count of 7 or fewer is withheld and shown as “suppressed”, never as 0.</p>
<h2>Closure rate by ${question}</h2>
${await renderChart(rate, { title: `Closure rate by ${question}`, description: 'Share of the items received that were closed, for each answer; withheld figures are marked suppressed.', mark: 'bar', yTitle: 'Closed', percent: true, max: 1, missing: suppressed })}
${dataTable(
  `Closure by ${question}`,
  [
    { head: 'Answer', cell: (g) => g.key },
    { head: 'Received', cell: (g) => shown(g.received, g), numeric: true },
    { head: 'Closed', cell: (g) => shown(g.closed, g), numeric: true },
    {
      head: 'Closure rate',
      cell: (g) => (g.closureRate === null ? shown(null, g) : percentOf(g.closureRate, none)),
      numeric: true,
    },
    {
      head: 'Closed within target',
      cell: (g) => (g.closedWithinTargetRate === null ? shown(null, g) : percentOf(g.closedWithinTargetRate, none)),
      numeric: true,
    },
  ],
  [...report.groups, { ...report.totals, key: 'All items' }],
)}`;
  },
};

const fft: ConsoleReport<z.infer<typeof fftQuerySchema>, Awaited<ReturnType<typeof fftReport>>> = {
  slug: 'fft',
  title: 'Friends and Family Test',
  question: 'Overall, how was your experience of our service? The six answers and the share positive.',
  roles: ['auditor', 'staff'],
  query: fftQuerySchema,
  choices: breakdownBy(fftGroupings),
  run: fftReport,
  csv: fftCsv,
  draw: async (report) => {
    const percent = (value: number | null, row: { suppressed: boolean }) =>
      value === null ? (row.suppressed ? suppressed : none) : `${value}%`;
    const positive = report.groups.map((g) => ({ label: groupLabel(g), value: g.positivePercent }));
    return html`<p>A row with fewer than 8 responses shows its counts but not its percentages (“suppressed”).</p>
<h2>Positive share by ${report.groupBy}</h2>
${await renderChart(positive, { title: `Positive share by ${report.groupBy}`, description: `Responses “very good” or “good”, as a percentage of all responses, by ${report.groupBy}.`, mark: 'bar', yTitle: 'Positive (%)', max: 100, missing: suppressed })}
${dataTable(
  `Friends and Family Test by ${report.groupBy}`,
  [
    { head: 'Group', cell: groupLabel },
    { head: 'Responses', cell: (g) => g.responses, numeric: true },
    { head: 'Positive', cell: (g) => percent(g.positivePercent, g), numeric: true },
    { head: 'Negative', cell: (g) => percent(g.negativePercent, g), numeric: true },
    { head: 'Very good', cell: (g) => g.veryGood, numeric: true },
    { head: 'Good', cell: (g) => g.good, numeric: true },
    { head: 'Neither', cell: (g) => g.neitherGoodNorPoor, numeric: true },
    { head: 'Poor', cell: (g) => g.poor, numeric: true },
    { head: 'Very poor', cell: (g) => g.veryPoor, numeric: true },
    { head: 'Don’t know', cell: (g) => g.dontKnow, numeric: true },
  ],
  [...report.groups, { ...report.totals, key: 'All responses' }],
)}`;
  },
};

const recommendations: ConsoleReport<
  z.infer<typeof recommendationsReportQuerySchema>,
  Awaited<ReturnType<typeof recommendationsReport>>
> = {
  slug: 'recommendations',
  title: 'Panel recommendations',
  question:
    'What the lived-experience panel recommended, what we accepted, declined and did, and how fast we answered.',
  roles: ['auditor', 'staff'],
  query: recommendationsReportQuerySchema,
  choices: breakdownBy(recommendationGroupings),
  run: recommendationsReport,
  csv: recommendationsCsv,
  draw: async (report) => {
    const made = report.groups.map((g) => ({ label: groupLabel(g), value: g.made }));
    return html`<h2>Recommendations made by ${report.groupBy}</h2>
${await renderChart(made, { title: `Recommendations made by ${report.groupBy}`, description: `Recommendations the panel made, by ${report.groupBy}.`, mark: 'bar', yTitle: 'Made', missing: none })}
${dataTable(
  `Recommendations by ${report.groupBy}`,
  [
    { head: 'Group', cell: groupLabel },
    { head: 'Made', cell: (g) => g.made, numeric: true },
    { head: 'Accepted', cell: (g) => g.accepted, numeric: true },
    { head: 'Declined', cell: (g) => g.declined, numeric: true },
    { head: 'Done', cell: (g) => g.done, numeric: true },
    { head: 'Waiting for an answer', cell: (g) => g.open, numeric: true },
    { head: 'Median days to an answer', cell: (g) => figureOf(g.medianDaysToResponse, 'none answered'), numeric: true },
    { head: 'Done of accepted', cell: (g) => percentOf(g.doneShare, none), numeric: true },
  ],
  [...report.groups, { ...report.totals, key: 'All recommendations' }],
)}`;
  },
};

// biome-ignore lint/suspicious/noExplicitAny: each entry's query and report types are its own
const consoleReports: readonly ConsoleReport<any, any>[] = [closure, themes, equity, fft, recommendations];

const mayRead = (report: { roles: readonly Role[] }, principal: Principal) =>
  principal.role === 'admin' || report.roles.includes(principal.role);

/** The form's fields as asked for: empty ones left out (a GET form sends every field). */
function askedFor(query: Record<string, unknown>, report: { choices?: ReportForm['choices'] }): Record<string, string> {
  const asked: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string' && value !== '' && name !== 'format') asked[name] = value;
  }
  if (report.choices && !asked[report.choices.name]) asked[report.choices.name] = report.choices.options[0] as string;
  return asked;
}

const fieldWords: Record<string, string> = {
  from: 'Enter the start date as a date, for example 2026-04-01',
  to: 'Enter the end date as a date, for example 2026-05-01',
  unitId: 'Choose a unit from the list',
  groupBy: 'Choose how to break the figures down from the list',
  characteristic: 'Choose an equality question from the list',
};

/**
 * The reports of the staff console under /console/reports: for a signed-in person whose role may
 * read the report (as its /v1 route allows), the same service with the session's principal and so
 * the same unit scope. Charts are inline SVG drawn on the server, each beside a table of its numbers;
 * `…/{report}.csv` downloads the same CSV as the API's. Registered inside the console's plugin, so
 * the session and its headers are those of every console page.
 */
export const consoleReportsPages: FastifyPluginAsyncZod = async (app) => {
  const pageConfig = {
    auth: 'browser',
    rateLimit: publicRateLimit(app.config.BOARD_RATE_LIMIT_PER_MINUTE),
    noStore: true,
  } as const;
  const filters = z
    .looseObject({})
    .describe('The report’s filters, as for its /v1/reports route; empty fields are left out');

  app.get('/console/reports', {
    config: pageConfig,
    schema: {
      operationId: 'getConsoleReportsPage',
      tags: ['console'],
      summary: 'The reports the signed-in person’s role may read',
      description:
        'Lists, with a link to each, the reports the person’s role may read as GET /v1/reports/… allows: closure, themes, FFT and recommendations for staff, auditors and admins; equity for auditors and admins.',
      response: { 200: htmlResponse('The list of reports'), 401: htmlResponse('Not signed in') },
    },
    handler: async (request, reply) => {
      const principal = personOrSignIn(request, reply);
      if (!principal) return reply;
      const readable = consoleReports.filter((report) => mayRead(report, principal));
      return sendPage(reply, 200, renderReportsIndexPage(readable, reply.generateCsrf()));
    },
  });

  for (const report of consoleReports) {
    /** The report for the asked filters, or the page already sent saying why not. */
    const answer = async (request: FastifyRequest, reply: FastifyReply) => {
      const principal = personOrSignIn(request, reply);
      if (!principal) return undefined;
      const csrf = reply.generateCsrf();
      if (!mayRead(report, principal)) {
        sendPage(reply, 403, renderReportRefusedPage(report, principal.role, csrf));
        return undefined;
      }
      const asked = askedFor(request.query as Record<string, unknown>, report);
      const units = await listUnits(app.db, { within: principal.unitId ? [principal.unitId] : [] }, 500);
      const form = { values: asked, units, ...(report.choices ? { choices: report.choices } : {}) };
      const parsed = report.query.safeParse(asked);
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? 'from')))];
        const problems = fields.map((field) => ({ field, message: fieldWords[field] ?? `Check ${field}` }));
        sendPage(reply, 400, renderReportProblemPage(report, form, problems, csrf));
        return undefined;
      }
      try {
        return { figures: await report.run(app.reads, principal, parsed.data), asked, form, csrf };
      } catch (error) {
        if (error instanceof HttpProblem && (error.kind === 'not-found' || error.kind === 'validation-error')) {
          const field = error.kind === 'not-found' ? 'unitId' : 'from';
          const message = error.kind === 'not-found' ? 'Choose a unit you may see' : (error.message ?? fieldWords.from);
          sendPage(reply, error.status, renderReportProblemPage(report, form, [{ field, message }], csrf));
          return undefined;
        }
        throw error;
      }
    };

    const pascal = report.slug.charAt(0).toUpperCase() + report.slug.slice(1);
    app.get(`/console/reports/${report.slug}`, {
      config: pageConfig,
      schema: {
        operationId: `getConsole${pascal}ReportPage`,
        tags: ['console'],
        summary: `${report.title}: filters, charts (inline SVG) with their numbers in tables, and a CSV link`,
        description: `For a signed-in person whose role may read the report (admin${report.roles.map((role) => `, ${role}`).join('')}, as GET /v1/reports/${report.slug}); read through the same service with the session's unit scope. A unit outside it answers 404, filters that do not check out 400, both as pages with an error summary.`,
        querystring: filters,
        response: {
          200: htmlResponse('The report'),
          400: htmlResponse('The filters did not check out'),
          401: htmlResponse('Not signed in'),
          403: htmlResponse('The role may not read this report'),
          404: htmlResponse('The unit is not one the person may see'),
        },
      },
      handler: async (request, reply) => {
        const answered = await answer(request, reply);
        if (!answered) return reply;
        const csvHref = `/console/reports/${report.slug}.csv?${new URLSearchParams(answered.asked)}`;
        const content = await report.draw(answered.figures);
        return sendPage(
          reply,
          200,
          renderReportPage(report, answered.form, content, csvHref, answered.csrf, answered.figures.dataAsOf),
        );
      },
    });

    app.get(`/console/reports/${report.slug}.csv`, {
      config: pageConfig,
      schema: {
        operationId: `getConsole${pascal}ReportCsv`,
        tags: ['console'],
        summary: `${report.title} as CSV, for the signed-in person: the same file as GET /v1/reports/${report.slug}?format=csv`,
        description: `The page's filters as a download: the same service, scope and CSV writer as GET /v1/reports/${report.slug}?format=csv, so the file is the one an API key of the same role and units gets.`,
        querystring: filters,
        produces: ['text/csv'],
        response: {
          200: {
            description: 'The CSV; `Data-As-Of` says how fresh its figures are',
            headers: dataAsOfHeader,
            content: { 'text/csv': { schema: z.string() } },
          },
          400: htmlResponse('The filters did not check out'),
          401: htmlResponse('Not signed in'),
          403: htmlResponse('The role may not read this report'),
          404: htmlResponse('The unit is not one the person may see'),
        },
      },
      handler: async (request, reply) => {
        const answered = await answer(request, reply);
        if (!answered) return reply;
        const day = answered.figures.period.asOf.slice(0, 10);
        return sendsDataAsOf(reply, answered.figures.dataAsOf)
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${report.slug}-report-${day}.csv"`)
          .send(report.csv(answered.figures));
      },
    });
  }
};
