import type { FeedbackStatus } from '../../db/schema/enums.js';
import { feedbackKinds, feedbackStatuses, recommendationStatuses } from '../../db/schema/enums.js';
import { html, type SafeHtml } from '../../http/pages/html.js';
import type { ActionRow } from '../actions/actions.repository.js';
import type { Recommendation } from '../recommendations/recommendations.schemas.js';
import type { ReviewItem } from '../review/review.schemas.js';
import type { Theme } from '../themes/themes.schemas.js';
import type { UnitRow } from '../units/units.repository.js';
import { errorMessage, errorOf, errorSummary, type FieldError, panelPage, type Shell } from './panel.shell.js';

const kindWords: Record<(typeof feedbackKinds)[number], { standard: string; easy: string }> = {
  compliment: { standard: 'Compliment', easy: 'Thank you' },
  suggestion: { standard: 'Suggestion', easy: 'An idea' },
  concern: { standard: 'Concern', easy: 'A worry' },
  complaint: { standard: 'Complaint', easy: 'Something went wrong' },
  question: { standard: 'Question', easy: 'A question' },
};
const statusWords: Record<FeedbackStatus, { standard: string; easy: string }> = {
  received: { standard: 'Received', easy: 'The ward has it' },
  in_review: { standard: 'Being looked at', easy: 'The ward is looking at it' },
  planned: { standard: 'Something is planned', easy: 'The ward will do something' },
  actioned: { standard: 'Acted on', easy: 'The ward did something' },
  not_actioned: { standard: 'Not acted on, with a reason', easy: 'The ward could not, and said why' },
};
const recommendationWords: Record<Recommendation['status'], { standard: string; easy: string; css: string }> = {
  proposed: { standard: 'Waiting for the ward’s answer', easy: 'Waiting for the ward', css: 'status-open' },
  accepted: { standard: 'Accepted: the ward is working on it', easy: 'The ward said yes', css: 'status-open' },
  declined: { standard: 'Not accepted', easy: 'The ward said no', css: 'status-declined' },
  done: { standard: 'Done', easy: 'Done', css: 'status-done' },
};

const word = (words: { standard: string; easy: string }, easyRead: boolean) => (easyRead ? words.easy : words.standard);

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'Europe/London',
});
const dateOf = (iso: string) => dateFormat.format(new Date(iso));

const themeLabel = (themes: readonly Theme[], code: string) =>
  themes.find((theme) => theme.code === code)?.label ?? code;

function themeTags(codes: readonly string[], themes: readonly Theme[]): SafeHtml {
  if (codes.length === 0) return html`none`;
  return html`${codes.map((code) => html`<span class="tag">${themeLabel(themes, code)}</span>`)}`;
}

/** What the ward did, is doing or why it could not, as the tracking page says it. */
function answerOf(item: ReviewItem, easyRead: boolean): SafeHtml {
  const answer = item.answer;
  if (!answer) return html`<p>${easyRead ? 'The ward has not answered yet.' : 'No answer from the ward yet.'}</p>`;
  if (answer.type === 'we_couldnt') {
    return html`<p><strong>${easyRead ? 'The ward could not, because:' : 'We couldn’t, because:'}</strong> ${answer.decision?.explanation ?? ''}</p>${
      answer.decision?.referredTo
        ? html`<p>${easyRead ? 'They asked for help from' : 'Passed on to'} ${answer.decision.referredTo}.</p>`
        : ''
    }`;
  }
  const label =
    answer.type === 'we_did'
      ? easyRead
        ? 'The ward did this:'
        : 'We did:'
      : easyRead
        ? 'The ward will do this:'
        : 'We are doing:';
  return html`<p><strong>${label}</strong></p><ul>${answer.actions.map(
    (action) =>
      html`<li>${action.outcome ?? action.title}${action.recommendedByPanel ? html` <span class="tag">${easyRead ? 'The panel asked for this' : 'Recommended by the panel'}</span>` : ''}</li>`,
  )}</ul>`;
}

function itemFacts(item: ReviewItem, themes: readonly Theme[], easyRead: boolean): SafeHtml {
  return html`<dl class="facts">
<dt>${easyRead ? 'What kind' : 'Kind'}</dt><dd>${item.kind ? word(kindWords[item.kind], easyRead) : easyRead ? 'Not said' : 'Not stated'}</dd>
<dt>${easyRead ? 'About' : 'Themes'}</dt><dd>${themeTags(item.themes, themes)}</dd>
<dt>${easyRead ? 'Where' : 'Unit'}</dt><dd>${item.unitName}</dd>
<dt>${easyRead ? 'When' : 'Received'}</dt><dd>${dateOf(item.receivedAt)}</dd>
<dt>${easyRead ? 'What is happening' : 'Status'}</dt><dd>${word(statusWords[item.status], easyRead)}</dd>
</dl>`;
}

export interface ListFilters {
  kind?: string;
  theme?: string;
  status?: string;
  from?: string;
  to?: string;
}

function select(
  name: string,
  label: string,
  options: readonly (readonly [string, string])[],
  chosen: string | undefined,
  anyWord: string,
): SafeHtml {
  return html`<div class="field"><label for="${name}">${label}</label>
<select id="${name}" name="${name}"><option value="">${anyWord}</option>${options.map(
    ([value, text]) => html`<option value="${value}"${chosen === value ? html` selected` : ''}>${text}</option>`,
  )}</select></div>`;
}

/** The review list: filters, the items (a summary each, never the person's words) and paging. */
export function renderReviewListPage(options: {
  shell: Shell;
  items: readonly ReviewItem[];
  themes: readonly Theme[];
  filters: ListFilters;
  errors: readonly FieldError[];
  nextUrl?: string;
  firstUrl?: string;
}) {
  const { shell, items, themes, filters, errors } = options;
  const easy = shell.easyRead;
  const dateField = (name: 'from' | 'to', label: string) => {
    const error = errorOf(errors, name);
    return html`<div class="field${error ? ' has-error' : ''}"><label for="${name}">${label}</label>${errorMessage(error)}
<input type="date" id="${name}" name="${name}" value="${filters[name] ?? ''}"${error ? html` aria-describedby="${name}-error" aria-invalid="true"` : ''}></div>`;
  };
  return panelPage(
    easy ? 'What people told the ward' : 'Feedback to review',
    shell,
    html`${errorSummary(errors, easy)}
<h1>${easy ? 'What people told the ward' : 'Feedback to review'}</h1>
<p class="intro">${
      easy
        ? 'These are short notes about what people said. Staff wrote them. There are no names.'
        : 'Short summaries of feedback that people agreed to share with the panel, written by staff without names, and what the ward did about each.'
    }</p>
<form method="get" action="/review" class="filters" aria-label="${easy ? 'Choose what to see' : 'Filter the feedback'}">
${select(
  'kind',
  easy ? 'What kind' : 'Kind',
  feedbackKinds.map((kind) => [kind, word(kindWords[kind], easy)] as const),
  filters.kind,
  easy ? 'All kinds' : 'Any kind',
)}
${select(
  'theme',
  easy ? 'About' : 'Theme',
  themes.map((theme) => [theme.code, theme.label] as const),
  filters.theme,
  easy ? 'Everything' : 'Any theme',
)}
${select(
  'status',
  easy ? 'What is happening' : 'Status',
  feedbackStatuses.map((status) => [status, word(statusWords[status], easy)] as const),
  filters.status,
  easy ? 'All' : 'Any status',
)}
${dateField('from', easy ? 'From (date)' : 'Received from')}
${dateField('to', easy ? 'To (date)' : 'Received up to')}
<button type="submit">${easy ? 'Show' : 'Show feedback'}</button>
</form>
${
  items.length === 0
    ? html`<p class="empty">${easy ? 'There is nothing to show.' : 'No feedback matches. Try fewer filters.'}</p>`
    : html`<ul class="items">${items.map(
        (item) => html`<li class="item"><h2><a href="/review/feedback/${item.id}">${item.youSaid}</a></h2>
${itemFacts(item, themes, easy)}
${answerOf(item, easy)}</li>`,
      )}</ul>`
}
<nav class="paging" aria-label="${easy ? 'More pages' : 'Pages'}">
${options.firstUrl ? html`<a href="${options.firstUrl}">${easy ? 'Go to the start' : 'First page'}</a>` : ''}
${options.nextUrl ? html`<a href="${options.nextUrl}">${easy ? 'See more' : 'Next page'}</a>` : ''}
</nav>`,
  );
}

/** One item as the panel reads it, with a way to recommend something about it. */
export function renderReviewItemPage(options: { shell: Shell; item: ReviewItem; themes: readonly Theme[] }) {
  const { shell, item, themes } = options;
  const easy = shell.easyRead;
  return panelPage(
    easy ? 'What someone told the ward' : 'Feedback',
    shell,
    html`<p><a href="/review">${easy ? 'Back to the list' : 'Back to feedback to review'}</a></p>
<h1>${easy ? 'What someone told the ward' : 'Feedback'}</h1>
<div class="panel"><h2>${easy ? 'They said' : 'You said'}</h2><p>${item.youSaid}</p></div>
${itemFacts(item, themes, easy)}
<h2>${easy ? 'What the ward did' : 'The ward’s answer'}</h2>
${answerOf(item, easy)}
<p><a class="button-link" href="/review/recommendations/new?feedbackId=${item.id}">${
      easy ? 'Tell the ward what to change' : 'Make a recommendation about this'
    }</a></p>`,
  );
}

export interface RecommendationAnswers {
  unitId?: string;
  title?: string;
  text?: string;
  feedbackIds: readonly string[];
  themes: readonly string[];
}

/** The recommendation form: what to recommend, for which unit, drawing on which feedback and themes. */
export function renderRecommendationForm(options: {
  shell: Shell & { csrf: string };
  units: readonly UnitRow[];
  items: readonly ReviewItem[];
  themes: readonly Theme[];
  answers: RecommendationAnswers;
  errors: readonly FieldError[];
}) {
  const { shell, units, items, themes, answers, errors } = options;
  const easy = shell.easyRead;
  const field = (name: string) => errorOf(errors, name);
  const invalid = (name: string, hint?: string) => {
    const described = [hint, field(name) ? `${name}-error` : undefined].filter(Boolean).join(' ');
    return html`${described ? html` aria-describedby="${described}"` : ''}${field(name) ? html` aria-invalid="true"` : ''}`;
  };
  const checkboxes = (
    name: string,
    legend: string,
    hint: string,
    choices: readonly (readonly [string, string])[],
    chosen: readonly string[],
  ) =>
    html`<fieldset class="field${field(name) ? ' has-error' : ''}" id="${name}" aria-describedby="${name}-hint${field(name) ? ` ${name}-error` : ''}"><legend>${legend}</legend>
<p class="hint" id="${name}-hint">${hint}</p>${errorMessage(field(name))}
${choices.map(
  ([value, label], index) =>
    html`<div class="choice"><input type="checkbox" id="${name}-${index}" name="${name}" value="${value}"${chosen.includes(value) ? html` checked` : ''}><label for="${name}-${index}">${label}</label></div>`,
)}</fieldset>`;
  return panelPage(
    easy ? 'Tell the ward what to change' : 'Make a recommendation',
    shell,
    html`${errorSummary(errors, easy)}
<h1>${easy ? 'Tell the ward what to change' : 'Make a recommendation'}</h1>
<p class="intro">${
      easy
        ? 'The ward team will read this. They will say yes or no, and why.'
        : 'The ward team will answer: they accept it and say what they will do, or explain why they cannot. What they do is shown on the ward board, without your name.'
    }</p>
<form method="post" action="/review/recommendations" novalidate>
<input type="hidden" name="_csrf" value="${shell.csrf}">
${
  units.length === 1
    ? html`<input type="hidden" name="unitId" value="${units[0]!.id}"><p><strong>${easy ? 'For:' : 'For the unit:'}</strong> ${units[0]!.name}</p>`
    : html`<div class="field${field('unitId') ? ' has-error' : ''}"><label for="unitId">${easy ? 'Which ward is it for?' : 'Which ward or service is it for?'}</label>${errorMessage(field('unitId'))}
<select id="unitId" name="unitId"${invalid('unitId')}>${units.map(
        (unit) =>
          html`<option value="${unit.id}"${answers.unitId === unit.id ? html` selected` : ''}>${unit.name}</option>`,
      )}</select></div>`
}
<div class="field${field('title') ? ' has-error' : ''}"><label for="title">${easy ? 'Say it in a few words' : 'Your recommendation in a few words'}</label>
<p class="hint" id="title-hint">${easy ? 'This can go on the ward board. Do not put names.' : 'This may be shown on the ward board once the ward answers. Please do not include names.'}</p>${errorMessage(field('title'))}
<input type="text" class="wide" id="title" name="title" maxlength="200" value="${answers.title ?? ''}"${invalid('title', 'title-hint')}></div>
<div class="field${field('text') ? ' has-error' : ''}"><label for="text">${easy ? 'Tell us more' : 'Tell the ward more'}</label>
<p class="hint" id="text-hint">${easy ? 'What did you learn? What should change?' : 'What the panel learnt from the feedback, and what you are asking the ward to do.'}</p>${errorMessage(field('text'))}
<textarea id="text" name="text" rows="8" maxlength="4000"${invalid('text', 'text-hint')}>${answers.text ?? ''}</textarea></div>
${
  items.length > 0
    ? checkboxes(
        'feedbackIds',
        easy ? 'Which notes is it about?' : 'Which feedback does it draw on?',
        easy ? 'You do not have to choose any.' : 'Optional. Choose any that led to it.',
        items.map((item) => [item.id, item.youSaid] as const),
        answers.feedbackIds,
      )
    : ''
}
${checkboxes(
  'themes',
  easy ? 'What is it about?' : 'Themes',
  easy ? 'You do not have to choose any.' : 'Optional.',
  themes.map((theme) => [theme.code, theme.label] as const),
  answers.themes,
)}
<button type="submit">${easy ? 'Send to the ward' : 'Send the recommendation'}</button>
</form>`,
  );
}

function wardResponse(recommendation: Recommendation, actions: readonly ActionRow[], easy: boolean): SafeHtml {
  if (recommendation.status === 'proposed')
    return html`<p>${easy ? 'The ward has not answered yet.' : 'The ward has not answered yet.'}</p>`;
  if (recommendation.status === 'declined') {
    return html`<p><strong>${easy ? 'The ward said no, because:' : 'We couldn’t, because:'}</strong> ${recommendation.response ?? ''}</p>`;
  }
  return html`<p><strong>${
    recommendation.status === 'done'
      ? easy
        ? 'The ward did this:'
        : 'We did:'
      : easy
        ? 'The ward will do this:'
        : 'We are doing:'
  }</strong></p><ul>${actions.map(
    (action) =>
      html`<li>${action.status === 'completed' && action.outcome ? action.outcome : action.title}${
        action.status === 'completed' ? html` <span class="tag">${easy ? 'done' : 'completed'}</span>` : ''
      }</li>`,
  )}</ul>`;
}

/** "My recommendations": each with its status and the ward's response. */
export function renderRecommendationsPage(options: {
  shell: Shell;
  recommendations: readonly { recommendation: Recommendation; actions: readonly ActionRow[] }[];
  themes: readonly Theme[];
  status?: string;
  /** The whole panel's recommendations, not only this reviewer's. */
  whole: boolean;
  sent?: boolean;
  nextUrl?: string;
  firstUrl?: string;
}) {
  const { shell, themes } = options;
  const easy = shell.easyRead;
  return panelPage(
    easy ? 'My suggestions' : 'My recommendations',
    shell,
    html`${
      options.sent
        ? html`<div class="panel" role="status"><h2>${easy ? 'Thank you. The ward has it.' : 'Thank you: your recommendation has been sent'}</h2><p>${
            easy ? 'You can see the answer here.' : 'The ward’s answer will show here.'
          }</p></div>`
        : ''
    }
<h1>${options.whole ? (easy ? 'What the panel asked for' : 'The panel’s recommendations') : easy ? 'My suggestions' : 'My recommendations'}</h1>
<p class="intro">${
      options.whole
        ? easy
          ? 'What everyone on the panel told the ward, and what the ward said. There are no names.'
          : 'What everyone on the panel has recommended for your wards, and each ward’s answer. No one’s name is shown.'
        : easy
          ? 'What you told the ward, and what the ward said.'
          : 'What you have recommended, and each ward’s answer.'
    }</p>
<p><a href="/review/recommendations${options.whole ? '' : '?all=1'}">${
      options.whole
        ? easy
          ? 'Only mine'
          : 'Show only mine'
        : easy
          ? 'See what everyone asked for'
          : 'Show the whole panel’s recommendations'
    }</a></p>
<form method="get" action="/review/recommendations" class="filters" aria-label="${easy ? 'Choose what to see' : 'Filter the recommendations'}">
${options.whole ? html`<input type="hidden" name="all" value="1">` : ''}
${select(
  'status',
  easy ? 'What is happening' : 'Status',
  recommendationStatuses.map((status) => [status, word(recommendationWords[status], easy)] as const),
  options.status,
  easy ? 'All' : 'Any status',
)}
<button type="submit">${easy ? 'Show' : 'Show'}</button>
</form>
${
  options.recommendations.length === 0
    ? html`<p class="empty">${easy ? 'There are none yet.' : 'No recommendations yet.'} <a href="/review/recommendations/new">${easy ? 'Make a suggestion' : 'Make one'}</a>.</p>`
    : html`<ul class="items">${options.recommendations.map(
        ({
          recommendation,
          actions,
        }) => html`<li class="item" id="recommendation-${recommendation.id}"><h2>${recommendation.title}</h2>
<p class="${recommendationWords[recommendation.status].css}">${word(recommendationWords[recommendation.status], easy)}</p>
<p>${recommendation.text}</p>
<dl class="facts"><dt>${easy ? 'Sent' : 'Made'}</dt><dd>${dateOf(recommendation.createdAt)}</dd>
<dt>${easy ? 'About' : 'Themes'}</dt><dd>${themeTags(recommendation.themes, themes)}</dd>
${recommendation.respondedAt ? html`<dt>${easy ? 'Answered' : 'Answered'}</dt><dd>${dateOf(recommendation.respondedAt)}</dd>` : ''}</dl>
<h3>${easy ? 'What the ward said' : 'The ward’s response'}</h3>
${wardResponse(recommendation, actions, easy)}</li>`,
      )}</ul>`
}
<nav class="paging" aria-label="${easy ? 'More pages' : 'Pages'}">
${options.firstUrl ? html`<a href="${options.firstUrl}">${easy ? 'Go to the start' : 'First page'}</a>` : ''}
${options.nextUrl ? html`<a href="${options.nextUrl}">${easy ? 'See more' : 'Next page'}</a>` : ''}
</nav>`,
  );
}

/** An item or recommendation the reviewer may not read, or none at all: the same page. */
export function renderPanelNotFoundPage(shell: Shell) {
  const easy = shell.easyRead;
  return panelPage(
    easy ? 'Not found' : 'Page not found',
    shell,
    html`<h1>${easy ? 'We cannot find this' : 'Page not found'}</h1>
<p>${easy ? 'It may have been taken away.' : 'There is nothing to show at this address.'}</p>
<p><a href="/review">${easy ? 'Back to the list' : 'Back to feedback to review'}</a></p>`,
  );
}
