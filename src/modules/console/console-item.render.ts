import { feedbackKinds, reasonCodes } from '../../db/schema/enums.js';
import { type Document, html, type SafeHtml } from '../../http/pages/html.js';
import type { Attachment } from '../attachments/attachments.schemas.js';
import type { Feedback } from '../feedback/feedback.schemas.js';
import { errorMessage, errorOf, errorSummary, type FieldError } from '../panel/panel.shell.js';
import type { Reply } from '../replies/replies.schemas.js';
import { waitsForStaff } from '../replies/replies.service.js';
import { conflictNotice, field } from './console.forms.js';
import { consolePage } from './console.render.js';
import { itemMarks, triageCss } from './console-triage.render.js';

/** The triage fields as a form sends them, to show again (the person's own, on a refusal or a conflict). */
export interface TriageFields {
  youSaid: string;
  publishConsent: boolean;
  reviewConsent: boolean;
  kind: string;
  themes: string;
}

export const triageFieldsOf = (item: Feedback): TriageFields => ({
  youSaid: item.youSaid ?? '',
  publishConsent: item.publishConsent,
  reviewConsent: item.reviewConsent,
  kind: item.kind ?? '',
  themes: item.themes.join(', '),
});

export interface ActionChoice {
  id: string;
  title: string;
  status: string;
}

export interface ItemView {
  item: Feedback;
  attachments: readonly Attachment[];
  csrf: string;
  now: Date;
  /** The form that was refused, its errors, and what the person had written in it. */
  refused?: {
    form: 'triage' | 'decision' | 'reopen' | 'safeguarding' | 'link' | 'action' | 'reply' | 'erase';
    errors: FieldError[];
    fields: Record<string, string>;
  };
  /** Whether the person may erase it (admins): the erase form is shown to them only. */
  mayErase: boolean;
  /** Its replies (receipt and answer), oldest first. */
  replies: readonly Reply[];
  /** The actions it is linked to, and those it could be linked to (visible to the person, not cancelled). */
  actions: { linked: readonly ActionChoice[]; choices: readonly ActionChoice[] };
  /** Someone else saved first: the person's own triage fields, shown beside the item as it is now. */
  conflict?: TriageFields;
}

const words = (value: string) => value.replace(/_/g, ' ');
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : null);

function attachmentPlayer(item: Feedback, attachment: Attachment): SafeHtml {
  const src = `/console/feedback/${item.id}/attachments/${attachment.id}`;
  const kind = attachment.mediaType.split('/')[0];
  const player =
    kind === 'audio'
      ? html`<audio controls preload="none" src="${src}"></audio>`
      : kind === 'video'
        ? html`<video controls preload="none" src="${src}"></video>`
        : kind === 'image'
          ? html`<img src="${src}" alt="A picture attached to this feedback">`
          : '';
  return html`<li>${player}<p><a href="${src}">Download (${attachment.mediaType}, ${Math.ceil(attachment.size / 1024)} KB)</a></p></li>`;
}

function checkbox(name: string, label: string, checked: boolean): SafeHtml {
  return html`<div class="field choice"><input type="checkbox" id="${name}" name="${name}" value="yes"${checked ? html` checked` : ''}> <label for="${name}">${label}</label></div>`;
}

function triageForm(view: ItemView, fields: TriageFields, errors: readonly FieldError[]): SafeHtml {
  const { item, csrf } = view;
  return html`<form method="post" action="/console/feedback/${item.id}/triage" novalidate>
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${item.version}">
${field(errors, 'youSaid', '“You said” summary (public-safe, 280 characters at most)', (describedBy) => html`<textarea id="youSaid" name="youSaid" rows="3"${describedBy}>${fields.youSaid}</textarea>`)}
${checkbox('publishConsent', 'They agreed it may go on a board', fields.publishConsent)}
${checkbox('reviewConsent', 'They agreed the lived experience panel may read it', fields.reviewConsent)}
${field(errors, 'kind', 'Kind', (describedBy) => html`<select id="kind" name="kind"${describedBy}><option value="">Not yet classified</option>${feedbackKinds.map((kind) => html`<option value="${kind}"${fields.kind === kind ? html` selected` : ''}>${kind}</option>`)}</select>`)}
${field(errors, 'themes', 'Theme codes, separated by commas', (describedBy) => html`<input type="text" id="themes" name="themes" value="${fields.themes}"${describedBy}>`)}
<button type="submit">Save summary, consent, kind and themes</button>
</form>`;
}

function decisionForm(view: ItemView, fields: Record<string, string>, errors: readonly FieldError[]): SafeHtml {
  const { item, csrf } = view;
  return html`<form method="post" action="/console/feedback/${item.id}/decision" novalidate>
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${item.version}">
${field(errors, 'reasonCode', 'Reason', (describedBy) => html`<select id="reasonCode" name="reasonCode"${describedBy}><option value="">Choose a reason</option>${reasonCodes.map((code) => html`<option value="${code}"${fields.reasonCode === code ? html` selected` : ''}>${words(code)}</option>`)}</select>`)}
${field(errors, 'explanation', 'Public explanation: “We couldn’t, because …”', (describedBy) => html`<textarea id="explanation" name="explanation" rows="3"${describedBy}>${fields.explanation ?? ''}</textarea>`)}
${field(errors, 'referredTo', 'Passed on to (a service or team, optional)', (describedBy) => html`<input type="text" id="referredTo" name="referredTo" value="${fields.referredTo ?? ''}"${describedBy}>`)}
<button type="submit">Record the decision</button>
</form>`;
}

function reopenForm(view: ItemView, fields: Record<string, string>, errors: readonly FieldError[]): SafeHtml {
  const { item, csrf } = view;
  return html`<form method="post" action="/console/feedback/${item.id}/reopen" novalidate>
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${item.version}">
${field(errors, 'reason', 'Why it is reopened (kept in its history)', (describedBy) => html`<textarea id="reason" name="reason" rows="2"${describedBy}>${fields.reason ?? ''}</textarea>`)}
<button type="submit">Reopen</button>
</form>`;
}

function safeguardingForm(view: ItemView, fields: Record<string, string>, errors: readonly FieldError[]): SafeHtml {
  const { item, csrf } = view;
  const choices =
    item.safeguarding === 'flagged'
      ? ([
          ['reviewed', 'Reviewed: I looked and acted as needed'],
          ['cleared', 'Cleared: I looked and there is no concern'],
        ] as const)
      : ([['flagged', 'Flag for safeguarding']] as const);
  return html`<form method="post" action="/console/feedback/${item.id}/safeguarding" novalidate>
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${item.version}">
${field(errors, 'status', 'Safeguarding', (describedBy) => html`<select id="status" name="status"${describedBy}>${choices.map(([value, label]) => html`<option value="${value}">${label}</option>`)}</select>`)}
${field(errors, 'note', 'Note for the audit trail (private, optional)', (describedBy) => html`<textarea id="note" name="note" rows="2"${describedBy}>${fields.note ?? ''}</textarea>`)}
<button type="submit">Save safeguarding</button>
</form>`;
}

function actionsSection(view: ItemView, errorsOf: (form: 'link' | 'action') => FieldError[]): SafeHtml {
  const { item, csrf, actions, refused } = view;
  const fields = (form: 'link' | 'action') => (refused?.form === form ? refused.fields : {});
  const choices = actions.choices.filter((choice) => !item.actionIds.includes(choice.id));
  return html`<section aria-labelledby="actions-title"><h2 id="actions-title">Actions</h2>
${
  actions.linked.length > 0
    ? html`<ul>${actions.linked.map((action) => html`<li><a href="/console/actions/${action.id}">${action.title}</a> (${words(action.status)})</li>`)}</ul>`
    : html`<p>Not linked to an action yet.</p>`
}
${
  choices.length > 0
    ? html`<form method="post" action="/console/feedback/${item.id}/link" novalidate>
<input type="hidden" name="_csrf" value="${csrf}">
${field(errorsOf('link'), 'actionId', 'Link to an action', (describedBy) => html`<select id="actionId" name="actionId"${describedBy}><option value="">Choose an action</option>${choices.map((choice) => html`<option value="${choice.id}"${fields('link').actionId === choice.id ? html` selected` : ''}>${choice.title} (${words(choice.status)})</option>`)}</select>`)}
<button type="submit">Link</button></form>`
    : ''
}
<form method="post" action="/console/feedback/${item.id}/action" novalidate>
<input type="hidden" name="_csrf" value="${csrf}">
${field(errorsOf('action'), 'title', 'Or a new action for it: what will be done (public)', (describedBy) => html`<input type="text" id="title" name="title" value="${fields('action').title ?? ''}"${describedBy}>`)}
<button type="submit">Create the action and link it</button></form></section>`;
}

function repliesSection(view: ItemView): SafeHtml {
  const { item, csrf, replies } = view;
  if (replies.length === 0) return html``;
  return html`<section aria-labelledby="replies-title"><h2 id="replies-title">Replies to the person</h2><ul class="items">
${replies.map(
  (
    reply,
  ) => html`<li class="item"><p><strong>${reply.kind === 'answer' ? 'Answer' : 'Acknowledgement'}</strong> by ${words(reply.channel)}: ${words(reply.status)}</p>
${reply.supportNeeded ? html`<p>Support they need: ${reply.supportNeeded}</p>` : ''}
${
  waitsForStaff(reply)
    ? html`<p><a href="/console/replies/${reply.id}/slip">Print the slip</a> and give it to them, then:</p>
<form method="post" action="/console/feedback/${item.id}/replies/${reply.id}/handed-over"><input type="hidden" name="_csrf" value="${csrf}">
<button type="submit">I handed it over</button></form>`
    : ''
}</li>`,
)}</ul><p><a href="/console/replies">Every reply waiting for staff in your units</a></p></section>`;
}

function eraseSection(view: ItemView, errors: readonly FieldError[]): SafeHtml {
  const { item, csrf } = view;
  const body = item.erased
    ? html`<p>Erased: the personal data of this item is gone.</p>`
    : html`<p>Erasing removes, for good: what they said, their contact details, their equality answers, the reference of the system it came from, and the “You said” summary unless they agreed to it going on a board. Replies not yet sent are cancelled. The status, dates, unit, kind, channel and themes stay, so the counts do not change.</p>
<form method="post" action="/console/feedback/${item.id}/erase" novalidate>
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${item.version}">
<div class="field choice">${errorMessage(errorOf(errors, 'confirm'))}<input type="checkbox" id="confirm" name="confirm" value="yes"${errorOf(errors, 'confirm') ? html` aria-describedby="confirm-error"` : ''}> <label for="confirm">I understand this cannot be undone</label></div>
<button type="submit">Erase the personal data</button></form>`;
  return html`<section aria-labelledby="erase-title"><h2 id="erase-title">Erase (admins)</h2>${body}</section>`;
}

function conflictSection(item: Feedback, yours: TriageFields): SafeHtml {
  const theirs = triageFieldsOf(item);
  const yesNo = (value: boolean) => (value ? 'yes' : 'no');
  const rows: [string, string, string][] = [
    ['“You said”', theirs.youSaid, yours.youSaid],
    ['Board consent', yesNo(theirs.publishConsent), yesNo(yours.publishConsent)],
    ['Panel consent', yesNo(theirs.reviewConsent), yesNo(yours.reviewConsent)],
    ['Kind', theirs.kind, yours.kind],
    ['Themes', theirs.themes, yours.themes],
  ];
  return conflictNotice('item', rows);
}

/** The item page: the private text and what staff do with an item, each action its own form. */
export function renderItemPage(view: ItemView): Document {
  const { item, now, refused } = view;
  const errorsOf = (form: NonNullable<ItemView['refused']>['form']) => (refused?.form === form ? refused.errors : []);
  const fieldsOf = (form: NonNullable<ItemView['refused']>['form']) => (refused?.form === form ? refused.fields : {});
  const triageFields =
    view.conflict ??
    (refused?.form === 'triage'
      ? {
          youSaid: refused.fields.youSaid ?? '',
          publishConsent: refused.fields.publishConsent === 'yes',
          reviewConsent: refused.fields.reviewConsent === 'yes',
          kind: refused.fields.kind ?? '',
          themes: refused.fields.themes ?? '',
        }
      : triageFieldsOf(item));
  const contact = Object.entries(item.contact ?? {});
  const closed = item.closedAt !== null;
  const document = consolePage(
    `Feedback ${item.reference}`,
    html`${refused ? errorSummary(refused.errors, false) : ''}${view.conflict ? conflictSection(item, view.conflict) : ''}
<p>${itemMarks(item, now)}</p>
<section aria-labelledby="words"><h2 id="words">What they said (private)</h2>
<blockquote>${item.text ?? (item.erased ? 'Erased' : 'No words: a rating alone')}</blockquote></section>
${
  view.attachments.length > 0
    ? html`<section aria-labelledby="files"><h2 id="files">Voice notes, videos and pictures</h2><ul class="items">${view.attachments.map((attachment) => attachmentPlayer(item, attachment))}</ul></section>`
    : ''
}
<section aria-labelledby="contact"><h2 id="contact">Contact and communication needs (private)</h2>
${contact.length > 0 ? html`<dl class="facts">${contact.map(([name, value]) => html`<dt>${words(name)}</dt><dd>${String(value)}</dd>`)}</dl>` : html`<p>No contact details.</p>`}
<p>Format: ${item.format ?? 'standard'}</p></section>
<section aria-labelledby="history"><h2 id="history">History</h2><dl class="facts">
<dt>Received</dt><dd>${day(item.receivedAt)}${item.channel ? ` (${words(item.channel)})` : ''}</dd>
<dt>Acknowledge by</dt><dd>${day(item.acknowledgeBy) ?? '–'}</dd>
<dt>Acknowledged</dt><dd>${day(item.acknowledgedAt) ?? 'not yet'}</dd>
<dt>Answer due</dt><dd>${day(item.dueAt)}</dd>
<dt>Status</dt><dd>${words(item.status)}</dd>
${item.decision ? html`<dt>Decision</dt><dd>${words(item.decision.reasonCode)}: ${item.decision.explanation} (${day(item.decision.decidedAt)})</dd>` : ''}
<dt>Closed</dt><dd>${day(item.closedAt) ?? 'open'}</dd>
<dt>Linked actions</dt><dd>${item.actionIds.length}</dd>
<dt>Safeguarding</dt><dd>${item.safeguarding}${item.safeguardingMatches.length > 0 ? ` (matched: ${item.safeguardingMatches.join(', ')})` : ''}</dd>
</dl></section>
${repliesSection(view)}
${actionsSection(view, errorsOf)}
<section aria-labelledby="triage"><h2 id="triage">Summary, consent, kind and themes</h2>${triageForm(view, triageFields, errorsOf('triage'))}</section>
${
  closed
    ? html`<section aria-labelledby="reopen-title"><h2 id="reopen-title">Reopen</h2>${reopenForm(view, fieldsOf('reopen'), errorsOf('reopen'))}</section>`
    : html`<section aria-labelledby="decision-title"><h2 id="decision-title">Record a decision not to act</h2>${decisionForm(view, fieldsOf('decision'), errorsOf('decision'))}</section>`
}
<section aria-labelledby="safeguarding-title"><h2 id="safeguarding-title">Safeguarding</h2>${safeguardingForm(view, fieldsOf('safeguarding'), errorsOf('safeguarding'))}</section>
${view.mayErase ? eraseSection(view, errorsOf('erase')) : ''}
<p><a href="/console/units/${item.unitId}/board">Preview the board of this item’s unit</a></p>
<p><a href="/console/inbox">Back to the inbox</a></p>`,
    { csrf: view.csrf },
    undefined,
    `${triageCss}
blockquote{margin:.4em 0;padding:.5em 1em;border-left:.4rem solid var(--ink);background:var(--panel);white-space:pre-wrap;overflow-wrap:anywhere}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:.1rem solid var(--ink);padding:.3em .6em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
audio,video,img{max-width:100%}`,
  );
  return { ...document, assets: { ...document.assets, media: true } };
}
