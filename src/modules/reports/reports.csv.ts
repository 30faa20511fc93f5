import { percentHalfUp } from '../feedback/fft.js';
import { type ClosureReport, closureFiguresSchema, type EquityReport, type ThemesReport } from './reports.schemas.js';
import { type FftReport, fftFiguresSchema } from './reports-fft.schemas.js';
import { type RecommendationsReport, recommendationFiguresSchema } from './reports-recommendations.schemas.js';

/** A CSV cell value; null and undefined become an empty cell. */
export type CsvValue = string | number | boolean | null | undefined;

// A leading =, +, - or @ would make a spreadsheet run the cell as a formula (CSV injection).
const formulaStart = /^[=+\-@\t\r]/;

function cell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = formulaStart.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * RFC 4180 CSV: a header row, then one line per row, CRLF line ends; fields holding a comma, quote or
 * line break are quoted with quotes doubled. Text that a spreadsheet would read as a formula is
 * prefixed with an apostrophe.
 */
export function toCsv(columns: readonly string[], rows: readonly Record<string, CsvValue>[]): string {
  const lines = [columns.map(cell).join(',')];
  for (const row of rows) lines.push(columns.map((column) => cell(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/* The CSV form of each report, shared by GET /v1/reports/… and the console's downloads. */

const closureColumns = Object.keys(closureFiguresSchema.shape);

export function closureCsv(report: ClosureReport): string {
  if (!report.groupBy) return toCsv(closureColumns, [report.totals]);
  const columns =
    report.groupBy === 'unit'
      ? ['key', 'unitCode', 'unitName', 'odsCode', ...closureColumns]
      : ['key', ...closureColumns];
  return toCsv(columns, report.groups as unknown as Record<string, CsvValue>[]);
}

export const themesColumns = [
  'theme',
  'month',
  'received',
  'closed',
  'closedShare',
  'previousReceived',
  'change',
  'changeRatio',
] as const;

export const themesCsv = (report: ThemesReport) => toCsv(themesColumns, report.rows);

const fftColumns = Object.keys(fftFiguresSchema.shape);

/** The CSV form: percentages rounded half up to whole percents from the exact counts, not from the JSON's 2 decimals. */
export function fftCsv(report: FftReport): string {
  const rows = (report.groupBy ? report.groups : [report.totals]).map((row) => ({
    ...row,
    positivePercent: row.positivePercent === null ? null : percentHalfUp(row.veryGood + row.good, row.responses, 0),
    negativePercent: row.negativePercent === null ? null : percentHalfUp(row.poor + row.veryPoor, row.responses, 0),
  }));
  const columns =
    report.groupBy === 'unit'
      ? ['key', 'unitCode', 'unitName', 'odsCode', ...fftColumns]
      : report.groupBy
        ? ['key', ...fftColumns]
        : fftColumns;
  return toCsv(columns, rows as unknown as Record<string, CsvValue>[]);
}

const recommendationColumns = Object.keys(recommendationFiguresSchema.shape);

export function recommendationsCsv(report: RecommendationsReport): string {
  if (!report.groupBy) return toCsv(recommendationColumns, [report.totals]);
  const columns =
    report.groupBy === 'unit'
      ? ['key', 'unitCode', 'unitName', ...recommendationColumns]
      : ['key', ...recommendationColumns];
  return toCsv(columns, report.groups as unknown as Record<string, CsvValue>[]);
}

const equityColumns = ['key', 'received', 'closed', 'closureRate', 'closedWithinTargetRate', 'suppressed'] as const;

/** The equity CSV: one row per group, then a `total` row; withheld cells are empty. */
export const equityCsv = (report: EquityReport) =>
  toCsv(equityColumns, [...report.groups, { key: 'total', ...report.totals }]);
