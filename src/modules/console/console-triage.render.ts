import { feedbackKinds, feedbackStatuses, safeguardingStatuses } from '../../db/schema/enums.js';
import { type Document, html, type SafeHtml } from '../../http/pages/html.js';
import type { Feedback } from '../feedback/feedback.schemas.js';
import { errorMessage, errorOf, errorSummary, type FieldError } from '../panel/panel.shell.js';
import { consolePage } from './console.render.js';

/** The triage pages' additions to the console's stylesheet: filters, item cards, marks, forms. */
export const triageCss = `
.filters{display:flex;flex-wrap:wrap;gap:.6em 1.2em;align-items:flex-end;background:var(--panel);border:.1rem solid #8a8a8a;border-radius:.4em;padding:.7em 1em}
.filters .field{margin:0;flex:1 1 10em;min-width:0}
select,input[type=text],textarea{font:inherit;padding:.3em .5em;border:.15rem solid var(--ink);border-radius:.2em;max-width:100%;letter-spacing:normal}
.filters select,.filters input{width:100%}
textarea{width:100%;max-width:40em}
select:focus-visible,input:focus-visible,textarea:focus-visible{outline:.2em solid var(--ink);box-shadow:0 0 0 .35em var(--focus)}
.items{list-style:none;margin:1em 0;padding:0;display:grid;gap:1em}
.item{border:.15rem solid var(--ink);border-left-width:.6rem;border-left-color:var(--said);border-radius:.4em;padding:.6em .9em;overflow-wrap:anywhere}
.item h3{font-size:1.05em;margin:0 0 .3em}
.tag{display:inline-block;border:.1rem solid var(--ink);border-radius:1em;padding:0 .6em;margin:0 .3em .3em 0;font-size:.85em}
.tag-alert{font-weight:700;border-width:.2rem}
.field{margin:0 0 1.2em}`;

/** The inbox's filters as the form sends them back (empty fields left out). */
export interface InboxFilters {
  unitId?: string | undefined;
  status?: string | undefined;
  kind?: string | undefined;
  theme?: string | undefined;
  safeguarding?: string | undefined;
  q?: string | undefined;
}

export interface InboxView {
  filters: InboxFilters;
  units: readonly { id: string; name: string }[];
  /** Flagged items, pinned above everything on the first page. */
  pinned: readonly Feedback[];
  /** Items still `received`, on the first page of an unfiltered inbox. */
  fresh: readonly Feedback[];
  items: readonly Feedback[];
  nextCursor: string | null;
  errors: readonly FieldError[];
  now: Date;
}

const words = (value: string) => value.replace(/_/g, ' ');

function option(value: string, label: string, chosen: string | undefined): SafeHtml {
  return html`<option value="${value}"${chosen === value ? html` selected` : ''}>${label}</option>`;
}

function select(name: string, label: string, values: readonly (readonly [string, string])[], chosen?: string) {
  return html`<div class="field"><label for="${name}">${label}</label>
<select id="${name}" name="${name}">${option('', 'Any', chosen)}${values.map(([value, text]) => option(value, text, chosen))}</select></div>`;
}

/** The marks an item carries in a list: new, flagged, overdue acknowledgement or answer. */
export function itemMarks(item: Feedback, now: Date): SafeHtml {
  const open = item.closedAt === null;
  const ackOverdue = item.acknowledgedAt === null && item.acknowledgeBy !== null && new Date(item.acknowledgeBy) < now;
  const answerOverdue = open && new Date(item.dueAt) < now;
  return html`${item.status === 'received' ? html`<span class="tag">New</span>` : ''}${
    item.safeguarding === 'flagged' ? html`<span class="tag tag-alert">Safeguarding: look at this first</span>` : ''
  }${ackOverdue ? html`<span class="tag tag-alert">Acknowledgement overdue</span>` : ''}${
    answerOverdue ? html`<span class="tag tag-alert">Answer overdue</span>` : ''
  }`;
}

function itemCard(item: Feedback, now: Date): SafeHtml {
  return html`<li class="item"><h3><a href="/console/feedback/${item.id}">Feedback ${item.reference}</a></h3>
<p>${itemMarks(item, now)}</p>
<dl class="facts"><dt>Status</dt><dd>${words(item.status)}</dd><dt>Kind</dt><dd>${item.kind ?? 'not yet classified'}</dd>
<dt>Received</dt><dd>${item.receivedAt.slice(0, 10)}</dd><dt>Answer due</dt><dd>${item.dueAt.slice(0, 10)}</dd>
${item.themes.length > 0 ? html`<dt>Themes</dt><dd>${item.themes.join(', ')}</dd>` : ''}</dl></li>`;
}

function section(title: string, id: string, items: readonly Feedback[], now: Date): SafeHtml {
  if (items.length === 0) return html``;
  return html`<section aria-labelledby="${id}"><h2 id="${id}">${title}</h2><ul class="items">${items.map((item) => itemCard(item, now))}</ul></section>`;
}

/** The next page: a form with the same filters and the service's cursor (search words stay out of the address). */
function nextPage(filters: InboxFilters, cursor: string, csrf: string): SafeHtml {
  const fields = Object.entries(filters).filter(([, value]) => value);
  return html`<form method="post" action="/console/inbox" class="paging"><input type="hidden" name="_csrf" value="${csrf}">
${fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<input type="hidden" name="cursor" value="${cursor}"><button type="submit">Next page</button></form>`;
}

/** The triage inbox: filters and search, the pinned and new items, then every item, newest first. */
export function renderInboxPage(view: InboxView, csrf: string): Document {
  const { filters, errors, now } = view;
  const text = (name: 'theme' | 'q', label: string) => {
    const error = errorOf(errors, name);
    return html`<div class="field"><label for="${name}">${label}</label>${errorMessage(error)}
<input type="text" id="${name}" name="${name}" value="${filters[name] ?? ''}"${error ? html` aria-describedby="${name}-error"` : ''}></div>`;
  };
  // A POST form: search words may be private (a name, a diagnosis), so they stay out of addresses and logs.
  return consolePage(
    'Inbox',
    html`${errorSummary(errors, false)}
<form method="post" action="/console/inbox" class="filters" aria-label="Filter and search">
<input type="hidden" name="_csrf" value="${csrf}">
${select(
  'unitId',
  'Unit',
  view.units.map((unit) => [unit.id, unit.name] as const),
  filters.unitId,
)}
${select(
  'status',
  'Status',
  feedbackStatuses.map((status) => [status, words(status)] as const),
  filters.status,
)}
${select(
  'kind',
  'Kind',
  feedbackKinds.map((kind) => [kind, kind] as const),
  filters.kind,
)}
${select(
  'safeguarding',
  'Safeguarding',
  safeguardingStatuses.map((status) => [status, status] as const),
  filters.safeguarding,
)}
${text('theme', 'Theme code')}
${text('q', 'Words in the feedback')}
<div class="field"><button type="submit">Show</button></div>
</form>
${section('Safeguarding: look at these first', 'pinned', view.pinned, now)}
${section('New', 'new', view.fresh, now)}
${
  view.items.length === 0 && view.pinned.length === 0 && view.fresh.length === 0
    ? html`<p>No feedback matches.</p>`
    : section('All feedback, newest first', 'all', view.items, now)
}
${view.nextCursor ? nextPage(filters, view.nextCursor, csrf) : ''}
<p><a href="/console">Back to the console</a></p>`,
    { csrf },
    undefined,
    triageCss,
  );
}
