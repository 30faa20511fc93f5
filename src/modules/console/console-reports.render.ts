import { type Document, html, type SafeHtml } from '../../http/pages/html.js';
import type { UnitRow } from '../units/units.repository.js';
import { consolePage } from './console.render.js';

/** A report the console shows: where it lives, what it is called, what it answers. */
export interface ReportSummary {
  slug: string;
  title: string;
  question: string;
}

/** The filters a report page's form offers; the values are the ones asked for, as typed. */
export interface ReportForm {
  values: Record<string, string>;
  units: readonly UnitRow[];
  /** Options of `groupBy` (or `characteristic`), first is the default. */
  choices?: { name: 'groupBy' | 'characteristic'; label: string; options: readonly string[] };
}

export interface TableColumn<Row> {
  head: string;
  cell: (row: Row) => string | number;
  /** Numbers line up on the right. */
  numeric?: boolean;
}

export const words = (key: string) =>
  key
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();

/** A rate (0 to 1) as a percentage with one decimal; `absent` when there is none. */
export const percentOf = (rate: number | null, absent: string): string =>
  rate === null ? absent : `${(rate * 100).toFixed(1)}%`;

export const figureOf = (value: number | null, absent: string): string | number => value ?? absent;

export function dataTable<Row>(caption: string, columns: readonly TableColumn<Row>[], rows: readonly Row[]): SafeHtml {
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0"><table>
<caption>${caption}</caption>
<thead><tr>${columns.map((column) => html`<th scope="col"${column.numeric ? html` class="num"` : null}>${column.head}</th>`)}</tr></thead>
<tbody>${rows.map(
    (row) =>
      html`<tr>${columns.map((column, index) =>
        index === 0
          ? html`<th scope="row">${column.cell(row)}</th>`
          : html`<td${column.numeric ? html` class="num"` : null}>${column.cell(row)}</td>`,
      )}</tr>`,
  )}</tbody>
</table></div>`;
}

function filterForm(slug: string, form: ReportForm): SafeHtml {
  const value = (name: string) => form.values[name] ?? '';
  const choices = form.choices;
  return html`<form method="get" action="/console/reports/${slug}" class="filters">
<div class="field"><label for="from">From (inclusive)</label><input id="from" name="from" type="date" value="${value('from')}"></div>
<div class="field"><label for="to">To (not included)</label><input id="to" name="to" type="date" value="${value('to')}"></div>
<div class="field"><label for="unitId">Unit</label><select id="unitId" name="unitId">
<option value="">All your units</option>
${form.units.map((unit) => html`<option value="${unit.id}"${unit.id === value('unitId') ? html` selected` : null}>${unit.name} (${unit.code})</option>`)}
</select></div>
${
  choices
    ? html`<div class="field"><label for="${choices.name}">${choices.label}</label><select id="${choices.name}" name="${choices.name}">
${choices.options.map((option) => html`<option value="${option}"${option === value(choices.name) ? html` selected` : null}>${words(option)}</option>`)}
</select></div>`
    : null
}
<button type="submit">Show the report</button>
</form>`;
}

const backLinks = html`<p><a href="/console/reports">All reports</a> · <a href="/console">Back to the console</a></p>`;

/** The list of reports the person's role may read. */
export function renderReportsIndexPage(reports: readonly ReportSummary[], csrf: string): Document {
  return consolePage(
    'Reports',
    html`<p>Each report has filters, charts with their numbers in a table, and a CSV download.</p>
<ul class="report-list">${reports.map((report) => html`<li><a href="/console/reports/${report.slug}">${report.title}</a>: ${report.question}</li>`)}</ul>
<p><a href="/console">Back to the console</a></p>`,
    { csrf },
  );
}

// Made once: building an Intl.DateTimeFormat costs far more than formatting with one.
const londonTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  dateStyle: 'long',
  timeStyle: 'medium',
});

/** One report: its filters, then its charts and tables, then the CSV download of the same figures. */

export function renderReportPage(
  report: ReportSummary,
  form: ReportForm,
  content: SafeHtml,
  csvHref: string,
  csrf: string,
  dataAsOf: string,
): Document {
  return consolePage(
    report.title,
    html`<p>${report.question}</p>
${filterForm(report.slug, form)}
<p>These figures include every change made up to <time datetime="${dataAsOf}">${londonTime.format(new Date(dataAsOf))}</time> (UK time).</p>
${content}
<p><a href="${csvHref}" download>Download these figures (CSV)</a></p>
${backLinks}`,
    { csrf },
  );
}

/** The filters did not check out: a GOV.UK-style error summary above the form. */
export function renderReportProblemPage(
  report: ReportSummary,
  form: ReportForm,
  problems: readonly { field: string; message: string }[],
  csrf: string,
): Document {
  return consolePage(
    report.title,
    html`<div class="error-summary" role="alert" tabindex="-1"><h2>There is a problem</h2>
<ul>${problems.map((problem) => html`<li><a href="#${problem.field}">${problem.message}</a></li>`)}</ul></div>
${filterForm(report.slug, form)}
${backLinks}`,
    { csrf },
  );
}

/** The role may not read this report, as the API would refuse it. */
export const renderReportRefusedPage = (report: ReportSummary, role: string, csrf: string): Document =>
  consolePage(report.title, html`<p>Your role (${role}) may not read this report.</p>${backLinks}`, { csrf });
