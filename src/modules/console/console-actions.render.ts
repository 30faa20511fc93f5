import { actionStatuses, coproductionLevels } from '../../db/schema/enums.js';
import { type Document, html, type SafeHtml } from '../../http/pages/html.js';
import type { Action } from '../actions/actions.schemas.js';
import { errorSummary, type FieldError } from '../panel/panel.shell.js';
import { conflictNotice, field } from './console.forms.js';
import { consolePage } from './console.render.js';
import { words } from './console-reports.render.js';
import { triageCss } from './console-triage.render.js';

export type ActionFormName = 'edit' | 'progress' | 'complete' | 'cancel';
export type ActionDone = 'created' | 'edited' | 'started' | 'completed' | 'cancelled';

interface UnitChoice {
  id: string;
  name: string;
}

/** A feedback item an action answers, as the action page lists it: never its private words. */
export interface AnsweredItem {
  id: string;
  reference: string;
  youSaid: string | null;
  status: string;
}

const statusWords: Record<string, string> = {
  planned: 'Planned',
  in_progress: 'In progress',
  completed: 'Done',
  cancelled: 'Cancelled',
};

/** The co-production ladder in plain words (the seeds' guidance: honest is better than flattering). */
const levelWords: Record<string, string> = {
  none: 'Not yet: no one with lived experience took part',
  informing: 'Informing: we told people what we are doing',
  consulting: 'Consulting: we asked people what they think',
  involving: 'Involving: people with lived experience helped shape it',
  co_producing: 'Co-producing: people with lived experience shared the decisions and the work',
};

const doneWords: Record<ActionDone, string> = {
  created: 'The action is created.',
  edited: 'Your changes are saved.',
  started: 'The action is marked as in progress.',
  completed: 'The action is done. Its outcome now shows on the unit’s board.',
  cancelled: 'The action is cancelled. Feedback it answered with no other action is back to be looked at again.',
};

/** The labels of the fields, also the rows of a conflict's comparison. */
const labels: Record<string, string> = {
  title: 'What will be done (public, 200 characters at most)',
  description: 'More about it: “We will …” (public, optional)',
  plannedFor: 'Planned for (optional)',
  owner: 'Who is doing it: a team or role, never a patient (optional)',
  coproductionLevel: 'How people with lived experience took part',
  livedExperienceCount: 'How many people with lived experience took part',
  outcome: 'What we did (public)',
  reason: 'Why it will not happen',
  status: 'Status',
};

const actionsCss = `${triageCss}
.notice{border:.2rem solid var(--did);border-left-width:.6rem;padding:.5em 1em;margin:1em 0;font-weight:700}
.paging{display:flex;gap:1.5em;margin:1em 0}
td{vertical-align:top;overflow-wrap:anywhere}
input[type=text],form select{width:100%;max-width:40em}
.filters select{max-width:none}`;

/** The edit form's fields as the action holds them. */
export const editFieldsOf = (action: Action): Record<string, string> => ({
  title: action.title,
  description: action.description ?? '',
  plannedFor: action.plannedFor ?? '',
  owner: action.owner ?? '',
  coproductionLevel: action.coproduction.level,
  livedExperienceCount: String(action.coproduction.livedExperienceCount),
});

const selected = (yes: boolean) => (yes ? html` selected` : '');

/** The fields an action is created and edited with; `units` only when creating. */
function actionFields(fields: Record<string, string>, errors: readonly FieldError[], units?: readonly UnitChoice[]) {
  const text = (name: string, hint?: string) =>
    field(
      errors,
      name,
      labels[name]!,
      (describedBy) =>
        html`<input type="text" id="${name}" name="${name}" value="${fields[name] ?? ''}"${describedBy}>`,
      hint,
    );
  return html`${
    units
      ? field(
          errors,
          'unitId',
          'Unit',
          (describedBy) =>
            html`<select id="unitId" name="unitId"${describedBy}>${units.length > 1 ? html`<option value="">Choose a unit</option>` : ''}${units.map(
              (unit) => html`<option value="${unit.id}"${selected(fields.unitId === unit.id)}>${unit.name}</option>`,
            )}</select>`,
          'The ward or team whose feedback it answers. It shows on that unit’s board.',
        )
      : ''
  }
${text('title', 'Plain words people on the ward will understand, for example “Fix the day room television”.')}
${field(errors, 'description', labels.description!, (describedBy) => html`<textarea id="description" name="description" rows="3"${describedBy}>${fields.description ?? ''}</textarea>`)}
${text('plannedFor', 'As year-month-day, for example 2027-03-31')}
${text('owner')}
${field(
  errors,
  'coproductionLevel',
  labels.coproductionLevel!,
  (describedBy) =>
    html`<select id="coproductionLevel" name="coproductionLevel"${describedBy}>${coproductionLevels.map(
      (level) =>
        html`<option value="${level}"${selected((fields.coproductionLevel || 'none') === level)}>${levelWords[level]}</option>`,
    )}</select>`,
  'Say what really happened. Consulting, involving and co-producing need at least one person.',
)}
${field(errors, 'livedExperienceCount', labels.livedExperienceCount!, (describedBy) => html`<input type="text" inputmode="numeric" id="livedExperienceCount" name="livedExperienceCount" value="${fields.livedExperienceCount ?? '0'}"${describedBy}>`)}`;
}

export interface ActionsListView {
  actions: readonly Action[];
  units: readonly UnitChoice[];
  filters: { status?: string | undefined; unitId?: string | undefined };
  errors: readonly FieldError[];
  previous?: string | undefined;
  next?: string | undefined;
  mayChange: boolean;
  csrf: string;
}

const unitName = (units: readonly UnitChoice[], id: string) => units.find((unit) => unit.id === id)?.name ?? '–';

function filterSelect(name: string, label: string, values: readonly (readonly [string, string])[], chosen?: string) {
  return html`<div class="field"><label for="${name}">${label}</label>
<select id="${name}" name="${name}"><option value="">Any</option>${values.map(([value, text]) => html`<option value="${value}"${selected(chosen === value)}>${text}</option>`)}</select></div>`;
}

/** The actions of the person's units, newest first, filtered by status and unit, a page at a time. */
export function renderActionsListPage(view: ActionsListView): Document {
  const { actions, units, filters } = view;
  const rows = actions.map(
    (
      action,
    ) => html`<tr><td><a href="/console/actions/${action.id}">${action.title}</a></td><td>${unitName(units, action.unitId)}</td>
<td>${statusWords[action.status]}</td><td>${action.plannedFor ?? '–'}</td><td class="num">${action.feedbackIds.length}</td></tr>`,
  );
  return consolePage(
    'Actions',
    html`${errorSummary(view.errors, false)}
<p>What your units said they would do about feedback, and what they did. Each one shows on its unit’s board.</p>
${view.mayChange ? html`<p><a class="button-link" href="/console/actions/new">Create an action</a></p>` : ''}
<form method="get" action="/console/actions" class="filters" aria-label="Filter actions">
${filterSelect(
  'status',
  'Status',
  actionStatuses.map((status) => [status, statusWords[status]!] as const),
  filters.status,
)}
${filterSelect(
  'unitId',
  'Unit',
  units.map((unit) => [unit.id, unit.name] as const),
  filters.unitId,
)}
<div class="field"><button type="submit">Show</button></div>
</form>
${
  actions.length === 0
    ? html`<p>No actions match.</p>`
    : html`<div class="table-wrap"><table><caption>Actions, newest first</caption>
<thead><tr><th scope="col">Action</th><th scope="col">Unit</th><th scope="col">Status</th><th scope="col">Planned for</th><th scope="col" class="num">Feedback it answers</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
}
${
  view.previous || view.next
    ? html`<nav class="paging" aria-label="Pages">${view.previous ? html`<a href="${view.previous}">Previous page</a>` : ''}${view.next ? html`<a href="${view.next}">Next page</a>` : ''}</nav>`
    : ''
}
<p><a href="/console">Back to the console</a></p>`,
    { csrf: view.csrf },
    undefined,
    actionsCss,
  );
}

export interface NewActionView {
  units: readonly UnitChoice[];
  fields: Record<string, string>;
  errors: readonly FieldError[];
  csrf: string;
}

/** The form that creates an action. */
export function renderNewActionPage(view: NewActionView): Document {
  const fields = view.units.length === 1 ? { unitId: view.units[0]!.id, ...view.fields } : view.fields;
  return consolePage(
    'Create an action',
    html`${errorSummary(view.errors, false)}
<p>An action is what your unit will do about feedback. Its title and description show on the unit’s board, so write them for patients and visitors, and never name a patient.</p>
<form method="post" action="/console/actions" novalidate>
<input type="hidden" name="_csrf" value="${view.csrf}">
${actionFields(fields, view.errors, view.units)}
<button type="submit">Create the action</button>
</form>
<p><a href="/console/actions">Back to actions</a></p>`,
    { csrf: view.csrf },
    undefined,
    actionsCss,
  );
}

export interface ActionView {
  action: Action;
  unitName: string;
  items: readonly AnsweredItem[];
  mayChange: boolean;
  csrf: string;
  done?: ActionDone | undefined;
  /** The form that was refused, its errors, and what the person had written in it. */
  refused?: { form: ActionFormName; errors: FieldError[]; fields: Record<string, string> };
  /** Someone else saved first: the person's own fields, shown beside the action as it is now. */
  conflict?: { form: ActionFormName; fields: Record<string, string> };
}

function conflictSection(action: Action, yours: Record<string, string>): SafeHtml {
  const theirs: Record<string, string> = {
    ...editFieldsOf(action),
    coproductionLevel: levelWords[action.coproduction.level] ?? action.coproduction.level,
    outcome: action.outcome ?? '',
    reason: action.cancelReason ?? '',
    status: statusWords[action.status] ?? action.status,
  };
  const mine = (name: string, value: string) =>
    name === 'coproductionLevel'
      ? (levelWords[value] ?? value)
      : name === 'status'
        ? (statusWords[value] ?? value)
        : value;
  const names = Object.keys(yours).filter((name) => name in labels);
  return conflictNotice(
    'action',
    names.map((name) => [labels[name]!, theirs[name] ?? '', mine(name, yours[name] ?? '')] as const),
  );
}

/** The action page: what it is, the feedback it answers, and (for staff) the forms that move it on. */
export function renderActionPage(view: ActionView): Document {
  const { action, csrf, refused, conflict } = view;
  const live = action.status === 'planned' || action.status === 'in_progress';
  const shown = (form: ActionFormName) =>
    conflict?.form === form ? conflict.fields : refused?.form === form ? refused.fields : undefined;
  const errorsOf = (form: ActionFormName) => (refused?.form === form ? refused.errors : []);
  const hidden = html`<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${action.version}">`;
  const day = (iso: string | null) => iso?.slice(0, 10);
  const forms =
    view.mayChange && live
      ? html`${
          action.status === 'planned'
            ? html`<section aria-labelledby="progress-title"><h2 id="progress-title">Started work on it?</h2>
<form method="post" action="/console/actions/${action.id}/progress">${hidden}<button type="submit" id="progress">Mark as in progress</button></form></section>`
            : ''
        }
<section aria-labelledby="complete-title"><h2 id="complete-title">Done it? Say what you did</h2>
<form method="post" action="/console/actions/${action.id}/complete" novalidate>${hidden}
${field(
  errorsOf('complete'),
  'outcome',
  labels.outcome!,
  (describedBy) =>
    html`<textarea id="outcome" name="outcome" rows="4"${describedBy}>${shown('complete')?.outcome ?? ''}</textarea>`,
  'This is public: it shows on the unit’s board as “We did”, next to what people said. Plain words, no names.',
)}
<button type="submit">Mark as done</button></form></section>
<section aria-labelledby="edit-title"><h2 id="edit-title">Change the action</h2>
<form method="post" action="/console/actions/${action.id}/edit" novalidate>${hidden}
${actionFields(shown('edit') ?? editFieldsOf(action), errorsOf('edit'))}
<button type="submit">Save changes</button></form></section>
<section aria-labelledby="cancel-title"><h2 id="cancel-title">Not going to happen?</h2>
<form method="post" action="/console/actions/${action.id}/cancel" novalidate>${hidden}
${field(
  errorsOf('cancel'),
  'reason',
  labels.reason!,
  (describedBy) =>
    html`<textarea id="reason" name="reason" rows="3"${describedBy}>${shown('cancel')?.reason ?? ''}</textarea>`,
  'Kept in the history of the feedback it answered. Feedback with no other action goes back to be looked at again.',
)}
<button type="submit">Cancel the action</button></form></section>`
      : '';
  return consolePage(
    action.title,
    html`${view.done ? html`<div class="notice" role="status"><p>${doneWords[view.done]}</p></div>` : ''}
${refused ? errorSummary(refused.errors, false) : ''}${conflict ? conflictSection(action, conflict.fields) : ''}
<dl class="facts">
<dt>Unit</dt><dd>${view.unitName}</dd>
<dt>Status</dt><dd id="status">${statusWords[action.status]}</dd>
${action.description ? html`<dt>More about it</dt><dd>${action.description}</dd>` : ''}
<dt>Planned for</dt><dd>${action.plannedFor ?? 'No date set'}</dd>
<dt>Who is doing it</dt><dd>${action.owner ?? 'Not said'}</dd>
<dt>People with lived experience</dt><dd>${levelWords[action.coproduction.level]} (${action.coproduction.livedExperienceCount} ${action.coproduction.livedExperienceCount === 1 ? 'person' : 'people'})</dd>
${action.outcome ? html`<dt>What we did</dt><dd>${action.outcome}</dd>` : ''}
${action.cancelReason ? html`<dt>Why it will not happen</dt><dd>${action.cancelReason}</dd>` : ''}
</dl>
<section aria-labelledby="answers-title"><h2 id="answers-title">Feedback it answers</h2>
${
  view.items.length === 0
    ? html`<p>It does not answer any feedback yet. Link feedback to it from the feedback’s own page.</p>`
    : html`<ul class="items">${view.items.map(
        (item) => html`<li class="item"><h3><a href="/console/feedback/${item.id}">Feedback ${item.reference}</a></h3>
<p>${item.youSaid ?? 'No summary yet'}</p><p>Status: ${words(item.status)}</p></li>`,
      )}</ul>`
}</section>
<section aria-labelledby="history-title"><h2 id="history-title">History</h2><dl class="facts">
<dt>Created</dt><dd>${day(action.createdAt)}</dd>
<dt>Last changed</dt><dd>${day(action.updatedAt)}</dd>
${action.completedAt ? html`<dt>Done</dt><dd>${day(action.completedAt)}</dd>` : ''}
${action.cancelledAt ? html`<dt>Cancelled</dt><dd>${day(action.cancelledAt)}</dd>` : ''}
</dl></section>
${view.mayChange ? '' : html`<p>Your role can read actions but not change them.</p>`}
${forms}
<p><a href="/console/actions">Back to actions</a></p>`,
    { csrf },
    undefined,
    actionsCss,
  );
}
