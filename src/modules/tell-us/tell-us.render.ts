import { communicationNeeds, feedbackKinds, fftRatings, replyChannels } from '../../db/schema/enums.js';
import { type Document, html, type SafeHtml, trusted } from '../../http/pages/html.js';
import { pageCss } from '../../http/pages/styles.js';
import { pictograms } from '../boards/boards.pictograms.js';
import { equalityAnswers } from '../feedback/equality.schemas.js';
import {
  type AnswerField,
  type Answers,
  answerFields,
  equalityFields,
  type FieldError,
  type FormField,
} from './tell-us.form.js';
import { kindPictograms } from './tell-us.pictograms.js';

/** The form's own stylesheet on top of the pages' one: fields, errors and the printable slip. */
const formCss = `${pageCss}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:0;padding:0;overflow:hidden;clip:rect(0 0 0 0);border:0}
fieldset{border:0;margin:0 0 1.2em;padding:0;min-width:0}
legend{font-weight:700;font-size:1.1em;margin-bottom:.3em}
.hint{color:var(--muted);margin:0 0 .4em}
.field{margin:0 0 1.2em}
textarea,select,input[type=email],input[type=tel],input[type=text]{font:inherit;padding:.3em .5em;border:.15rem solid var(--ink);border-radius:.2em;width:100%;max-width:40em;letter-spacing:normal}
.choice{display:flex;align-items:center;gap:.5em;margin:.3em 0}
.choice input{font:inherit;width:1.4em;height:1.4em;flex:none;margin:0;accent-color:var(--did)}
.choice label{font-weight:400;margin:0}
.error-summary{border:.3rem solid #b10e1e;padding:.7em 1em;margin:1em 0}
.error-summary:focus{outline:.2em solid var(--ink);box-shadow:0 0 0 .35em var(--focus)}
.error-message{color:#b10e1e;font-weight:700;margin:0 0 .3em}
.field-error{border-left:.3rem solid #b10e1e;padding-left:.7em}
.secondary{background:#f3f3f0;color:var(--ink)}
.big{font-size:1.3em;padding:.6em 1.4em}
a.big{display:inline-block;background:var(--did);color:#fff;font-weight:700;text-decoration:none;border:.15rem solid var(--ink);border-radius:.2em}
a.big:focus-visible{color:var(--ink);background:var(--focus)}
.reference{font-size:2.4em;font-weight:700;letter-spacing:.1em;margin:.2em 0}
.honeypot{position:absolute;left:-9999px}
.slip{border:.15rem dashed var(--ink);padding:.7em 1em;margin:1em 0;max-width:30em}
.step-picture .pictogram{width:4em;height:4em}
@media print{.no-print{display:none!important}.slip{border:.4mm dashed #000}}`;

export type Mode = { easyRead: boolean; kiosk: boolean };

/** The steps of the form: standard gathers everything on `main`; Easy Read asks one question a screen. */
const standardSteps = ['main', 'equality'] as const;
const easyReadSteps = ['kind', 'text', 'fftRating', 'submitterRole', 'publishConsent', 'reply', 'equality'] as const;
export type Step = (typeof easyReadSteps)[number] | (typeof standardSteps)[number];
export const stepsOf = (mode: Mode): readonly Step[] => (mode.easyRead ? easyReadSteps : standardSteps);

const replyFields: AnswerField[] = [
  'wantsReply',
  'replyBy',
  'name',
  'email',
  'phone',
  'address',
  'language',
  'communicationNeeds',
];
/** The fields each step shows; the rest travel as hidden fields. */
export const fieldsOfStep: Record<Step, readonly FormField[]> = {
  main: ['text', 'attachment', 'kind', 'fftRating', 'submitterRole', 'publishConsent', 'reviewConsent', ...replyFields],
  kind: ['kind'],
  text: ['text'],
  fftRating: ['fftRating'],
  submitterRole: ['submitterRole'],
  publishConsent: ['publishConsent', 'reviewConsent'],
  reply: replyFields,
  equality: equalityFields,
};

const words = (easyRead: boolean) => ({
  kind: easyRead ? 'What do you want to tell us?' : 'What kind of feedback is it?',
  kinds: {
    compliment: easyRead ? 'Thank you' : 'A compliment',
    suggestion: easyRead ? 'An idea' : 'A suggestion',
    concern: easyRead ? 'Something worries me' : 'A concern',
    complaint: easyRead ? 'Something went wrong' : 'A complaint',
    question: easyRead ? 'A question' : 'A question',
  },
  text: easyRead ? 'Tell us in your own words' : 'What would you like to tell us?',
  textHint: easyRead
    ? 'You can write a little or a lot.'
    : 'Please do not include other people’s names. Staff will read this; it is never shown in public.',
  fft: 'Overall, how was your experience of our service?',
  fftHint: easyRead ? 'You do not have to answer this.' : 'Optional.',
  role: easyRead ? 'Who are you?' : 'Who are you?',
  consent: easyRead
    ? 'Can we put a short note about this on the ward board?'
    : 'May we show a short summary of this on the ward board?',
  consentHint: easyRead
    ? 'Staff will write the note. It will not have your name.'
    : 'Staff write the summary in plain words, without names. Your own words are never shown.',
  reviewConsent: easyRead ? 'Can our panel read the note too?' : 'May our lived experience panel read that summary?',
  reviewConsentHint: easyRead
    ? 'The panel is people who use our services. They help us get better. They never see your name.'
    : 'People with lived experience of our services read summaries to recommend changes. They never see your words, name or details.',
  wantsReply: easyRead ? 'Do you want us to tell you what we did?' : 'Do you want an answer?',
});

const fftWords: Record<(typeof fftRatings)[number], string> = {
  very_good: 'Very good',
  good: 'Good',
  neither_good_nor_poor: 'Neither good nor poor',
  poor: 'Poor',
  very_poor: 'Very poor',
  dont_know: 'Don’t know',
};
const roleWords: [string, string][] = [
  ['patient', 'A patient'],
  ['carer', 'A carer'],
  ['family', 'Family or a friend'],
  ['advocate', 'An advocate'],
  ['staff', 'Staff'],
  ['not_stated', 'I would rather not say'],
];
const replyWords: Record<(typeof replyChannels)[number], string> = {
  email: 'By email',
  sms: 'By text message',
  letter: 'By letter',
  in_person: 'In person, from staff on the ward',
};
const needWords: Record<(typeof communicationNeeds)[number], string> = {
  easy_read: 'Easy Read',
  large_print: 'Large print',
  bsl: 'British Sign Language (BSL)',
  interpreter: 'An interpreter',
  braille: 'Braille',
  audio: 'Audio (spoken)',
  other: 'Something else: staff will ask you',
};
const languages: [string, string][] = [
  ['', 'English'],
  ['cy', 'Welsh (Cymraeg)'],
  ['pl', 'Polish (Polski)'],
  ['ur', 'Urdu'],
  ['pa', 'Punjabi'],
  ['bn', 'Bengali'],
  ['gu', 'Gujarati'],
  ['ar', 'Arabic'],
  ['ro', 'Romanian'],
  ['pt', 'Portuguese'],
  ['es', 'Spanish'],
  ['so', 'Somali'],
  ['zh', 'Chinese'],
];
const equalityWords: Record<string, string> = {
  ageBand: 'Your age',
  sex: 'Your sex',
  genderSameAsBirth: 'Is your gender the same as the sex you were registered at birth?',
  ethnicGroup: 'Your ethnic group',
  religion: 'Your religion or belief',
  sexualOrientation: 'Your sexual orientation',
  disability: 'Do you have a disability?',
  pregnancyMaternity: 'Are you pregnant, or have you had a baby in the last year?',
  marriageCivilPartnership: 'Are you married or in a civil partnership?',
};
const answerText = (value: string) =>
  value === 'prefer_not_to_say' ? 'Prefer not to say' : value.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

interface Ctx {
  answers: Answers;
  errors: FieldError[];
  mode: Mode;
  maxMegabytes: number;
}

const errorOf = (ctx: Ctx, field: FormField) => ctx.errors.find((error) => error.field === field);
const errorLine = (ctx: Ctx, field: FormField) => {
  const error = errorOf(ctx, field);
  return error
    ? html`<p class="error-message" id="${field}-error"><span class="visually-hidden">Error:</span> ${error.message}</p>`
    : null;
};
const describedBy = (ctx: Ctx, field: FormField, hint: boolean) =>
  [hint ? `${field}-hint` : '', errorOf(ctx, field) ? `${field}-error` : ''].filter(Boolean).join(' ') || null;
const autocomplete = (ctx: Ctx, token: string) => (ctx.mode.kiosk ? 'off' : token);

/** The id an error summary links to: the field, or a group's first choice. */
const firstId = (field: FormField): string => {
  const first: Partial<Record<FormField, string>> = {
    kind: `kind-${feedbackKinds[0]}`,
    fftRating: `fftRating-${fftRatings[0]}`,
    submitterRole: 'submitterRole-patient',
    publishConsent: 'publishConsent-yes',
    reviewConsent: 'reviewConsent-yes',
    wantsReply: 'wantsReply-yes',
    replyBy: `replyBy-${replyChannels[0]}`,
    communicationNeeds: `communicationNeeds-${communicationNeeds[0]}`,
  };
  return first[field] ?? field;
};

function radios(
  ctx: Ctx,
  field: AnswerField,
  legend: string,
  options: [value: string, label: string, picture?: string][],
  hint?: string,
): SafeHtml {
  const chosen = ctx.answers[field as Exclude<AnswerField, 'communicationNeeds'>];
  const by = describedBy(ctx, field, Boolean(hint));
  return html`<fieldset class="field${errorOf(ctx, field) ? ' field-error' : ''}"${by ? html` aria-describedby="${by}"` : null}>
<legend>${legend}</legend>${hint ? html`<p class="hint" id="${field}-hint">${hint}</p>` : null}${errorLine(ctx, field)}
${options.map(
  ([value, label, picture]) =>
    html`<div class="choice"><input type="radio" id="${field}-${value}" name="${field}" value="${value}"${chosen === value ? trusted(' checked') : null}>${picture ? trusted(picture) : null}<label for="${field}-${value}">${label}</label></div>`,
)}
</fieldset>`;
}

function textInput(ctx: Ctx, field: AnswerField, label: string, type: string, token: string, hint?: string): SafeHtml {
  const by = describedBy(ctx, field, Boolean(hint));
  const value = ctx.answers[field as Exclude<AnswerField, 'communicationNeeds'>] ?? '';
  return html`<div class="field${errorOf(ctx, field) ? ' field-error' : ''}"><label for="${field}">${label}</label>${hint ? html`<p class="hint" id="${field}-hint">${hint}</p>` : null}${errorLine(ctx, field)}
<input type="${type}" id="${field}" name="${field}" value="${value}" autocomplete="${autocomplete(ctx, token)}"${by ? html` aria-describedby="${by}"` : null}${errorOf(ctx, field) ? trusted(' aria-invalid="true"') : null}></div>`;
}

function textArea(ctx: Ctx, field: AnswerField, label: string, rows: number, token: string, hint?: string): SafeHtml {
  const by = describedBy(ctx, field, Boolean(hint));
  return html`<div class="field${errorOf(ctx, field) ? ' field-error' : ''}"><label for="${field}">${label}</label>${hint ? html`<p class="hint" id="${field}-hint">${hint}</p>` : null}${errorLine(ctx, field)}
<textarea id="${field}" name="${field}" rows="${rows}" autocomplete="${autocomplete(ctx, token)}"${by ? html` aria-describedby="${by}"` : null}${errorOf(ctx, field) ? trusted(' aria-invalid="true"') : null}>${ctx.answers[field as 'text'] ?? ''}</textarea></div>`;
}

/**
 * A voice note, video or picture instead of, or as well as, words. The browser offers the
 * microphone, camera or files as the device allows; the service reads the type from the bytes.
 */
function fileInput(ctx: Ctx): SafeHtml {
  const by = describedBy(ctx, 'attachment', true);
  return html`<div class="field${errorOf(ctx, 'attachment') ? ' field-error' : ''}"><label for="attachment">Or send a voice note, a video or a picture</label><p class="hint" id="attachment-hint">Optional. You can record a voice message or a video, or choose a picture or drawing. Up to ${ctx.maxMegabytes} MB.</p>${errorLine(ctx, 'attachment')}
<input type="file" id="attachment" name="attachment" accept="audio/*,video/*,image/*" aria-describedby="${by}"${errorOf(ctx, 'attachment') ? trusted(' aria-invalid="true"') : null}></div>`;
}

function fieldHtml(ctx: Ctx, field: FormField): SafeHtml | null {
  const w = words(ctx.mode.easyRead);
  const easy = ctx.mode.easyRead;
  switch (field) {
    case 'kind':
      return radios(
        ctx,
        field,
        w.kind,
        feedbackKinds.map((kind) => [kind, w.kinds[kind], kindPictograms[kind]]),
        easy ? undefined : 'Optional.',
      );
    case 'text':
      return textArea(ctx, field, w.text, easy ? 6 : 8, 'off', w.textHint);
    case 'attachment':
      return fileInput(ctx);
    case 'fftRating':
      return radios(
        ctx,
        field,
        w.fft,
        fftRatings.map((rating) => [rating, fftWords[rating]]),
        w.fftHint,
      );
    case 'submitterRole':
      return radios(ctx, field, w.role, roleWords);
    case 'publishConsent':
      return radios(
        ctx,
        field,
        w.consent,
        [
          ['yes', 'Yes'],
          ['no', 'No'],
        ],
        w.consentHint,
      );
    case 'reviewConsent':
      return radios(
        ctx,
        field,
        w.reviewConsent,
        [
          ['yes', 'Yes'],
          ['no', 'No'],
        ],
        w.reviewConsentHint,
      );
    case 'wantsReply':
      return radios(
        ctx,
        field,
        w.wantsReply,
        [
          ['yes', 'Yes'],
          ['no', 'No'],
        ],
        easy ? undefined : 'If yes, tell us how. We use your details only to answer you.',
      );
    case 'replyBy':
      return radios(
        ctx,
        field,
        'How should we answer you?',
        replyChannels.map((channel) => [channel, replyWords[channel]]),
      );
    case 'name':
      return textInput(ctx, field, 'Your name (optional)', 'text', 'name');
    case 'email':
      return textInput(ctx, field, 'Email address', 'email', 'email');
    case 'phone':
      return textInput(ctx, field, 'Mobile phone number', 'tel', 'tel');
    case 'address':
      return textArea(
        ctx,
        field,
        'Postal address',
        4,
        'street-address',
        'Only for an answer by letter. The postcode on the last line.',
      );
    case 'language': {
      const chosen = ctx.answers.language ?? '';
      return html`<div class="field"><label for="language">Which language should we answer in?</label>
<select id="language" name="language">${languages.map(
        ([value, label]) =>
          html`<option value="${value}"${value === chosen ? trusted(' selected') : null}>${label}</option>`,
      )}</select></div>`;
    }
    case 'communicationNeeds': {
      const chosen = new Set(ctx.answers.communicationNeeds ?? []);
      return html`<fieldset class="field"><legend>Do you need the answer in another way?</legend><p class="hint">Tick any that help you. Optional.</p>
${communicationNeeds.map(
  (need) =>
    html`<div class="choice"><input type="checkbox" id="communicationNeeds-${need}" name="communicationNeeds" value="${need}"${chosen.has(need) ? trusted(' checked') : null}><label for="communicationNeeds-${need}">${needWords[need]}</label></div>`,
)}</fieldset>`;
    }
    default: {
      const answers = (equalityFieldAnswers as Record<string, readonly string[]>)[field] ?? [];
      const chosen = ctx.answers[field as 'sex'] ?? '';
      return html`<div class="field"><label for="${field}">${equalityWords[field] ?? field}</label>
<select id="${field}" name="${field}"><option value="">Not answered</option>${answers.map(
        (value) =>
          html`<option value="${value}"${value === chosen ? trusted(' selected') : null}>${answerText(value)}</option>`,
      )}</select></div>`;
    }
  }
}

const equalityFieldAnswers = Object.fromEntries(
  Object.entries(equalityAnswers).map(([field, schema]) => [field, schema.options]),
);

function hiddenFields(ctx: Ctx, shown: readonly FormField[]): SafeHtml {
  return html`${answerFields
    .filter((field) => !shown.includes(field))
    .flatMap((field) =>
      field === 'communicationNeeds'
        ? (ctx.answers.communicationNeeds ?? []).map(
            (need) => html`<input type="hidden" name="communicationNeeds" value="${need}">`,
          )
        : ctx.answers[field]
          ? [html`<input type="hidden" name="${field}" value="${ctx.answers[field]}">`]
          : [],
    )}`;
}

export interface FormPage {
  unitName: string;
  actionUrl: string;
  startUrl: string;
  step: Step;
  answers: Answers;
  errors: FieldError[];
  mode: Mode;
  challengeOn: boolean;
  /** ATTACHMENT_MAX_BYTES, told to the person beside the file input. */
  maxAttachmentBytes: number;
}

/** The widget when the proof-of-work is on; the form's own script for it, the kiosk timer or the voice recorder. */
const scripts = (page: { mode: Mode; challengeOn: boolean; step: Step }) =>
  page.challengeOn || page.mode.kiosk || fieldsOfStep[page.step].includes('attachment')
    ? html`${page.challengeOn ? html`<script type="module" src="/tell-us/assets/altcha.js"></script>` : null}<script type="module" src="/tell-us/assets/tell-us.js"></script>`
    : null;

/** The form, one step of it (Easy Read) or all of it (standard), with the GOV.UK error pattern. */
export function renderFormPage(page: FormPage): Document {
  const ctx: Ctx = {
    answers: page.answers,
    errors: page.errors,
    mode: page.mode,
    maxMegabytes: Math.max(1, Math.floor(page.maxAttachmentBytes / 1_048_576)),
  };
  const steps = stepsOf(page.mode);
  const index = steps.indexOf(page.step);
  const shown = fieldsOfStep[page.step];
  const last = page.step === 'equality' || (page.mode.easyRead ? page.step === 'reply' : page.step === 'main');
  const easy = page.mode.easyRead;
  const summary =
    page.errors.length > 0
      ? html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
<h2 id="error-summary-title">There is a problem</h2>
<ul>${page.errors.map((error) => html`<li><a href="#${firstId(error.field)}">${error.message}</a></li>`)}</ul></div>`
      : null;
  const intro =
    page.step === 'equality'
      ? html`<h2>Questions about you</h2><p>These questions help us check that we treat everyone fairly. You do not have to answer them. Your answers are kept apart from your feedback and only counted with other people’s.</p>`
      : easy
        ? html`<p class="step-picture">${trusted(pictograms.you_said)}</p><p>Question ${index + 1} of ${steps.length - 1}.</p>`
        : html`<p>Tell ${page.unitName} about your experience. Staff read every message. You will get a reference to follow what happens.</p>`;
  const buttons = last
    ? html`<button type="submit" name="action" value="send" class="big">Send</button>${
        page.step !== 'equality'
          ? html` <button type="submit" name="action" value="equality" class="secondary">${easy ? 'Answer questions about you first (you do not have to)' : 'Answer optional questions about you first'}</button>`
          : null
      }`
    : html`<button type="submit" name="action" value="next" class="big">Next</button>`;
  const back =
    index > 0
      ? html` <button type="submit" name="action" value="back" class="secondary" formnovalidate>Back</button>`
      : null;
  const body = html`<a class="jump-link" href="#main">Skip to the form</a>
<header><h1>${easy ? 'Tell us' : 'Tell us directly'}</h1><p class="unit">${page.unitName}</p></header>
<main id="main"${easy ? trusted(' class="easy-read"') : null}>
${summary}${intro}
<form method="post" action="${page.actionUrl}"${shown.includes('attachment') ? trusted(' enctype="multipart/form-data"') : null} novalidate${page.mode.kiosk ? trusted(' autocomplete="off"') : null}>
<input type="hidden" name="step" value="${page.step}">
<div class="honeypot" aria-hidden="true"><label for="website">Leave this empty</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off"></div>
${shown.map((field) => fieldHtml(ctx, field))}
${hiddenFields(ctx, shown)}
${
  // The proof-of-work runs in the background; a person has nothing to do with it, so it is not shown.
  page.challengeOn
    ? html`<div hidden><altcha-widget challenge="/v1/public-feedback/challenge" auto="onload" display="invisible"></altcha-widget></div>`
    : null
}
<div>${buttons}${back}</div>
</form>
${page.mode.kiosk ? html`<p><a class="big" href="${page.startUrl}">Start again</a></p>` : null}
</main>
<footer><p>For help now: in an emergency call 999. For urgent mental health help call NHS 111 and choose option 2.</p></footer>`;
  return {
    title: `${page.errors.length > 0 ? 'Error: ' : ''}Tell us – ${page.unitName}`,
    assets: { css: formCss, ownScripts: Boolean(scripts(page)) },
    body: html`${body}${scripts(page)}`,
    bodyData: page.mode.kiosk ? { kiosk: '1', 'start-url': page.startUrl } : undefined,
  };
}

export interface SentPage {
  unitName: string;
  reference: string;
  trackUrl: string;
  startUrl: string;
  mode: Mode;
}

/** After sending: the reference large, how to follow it, a slip to print. */
export function renderSentPage(page: SentPage): Document {
  const easy = page.mode.easyRead;
  const body = html`<header><h1>${easy ? 'Thank you. We got your message.' : 'Thank you, we have your feedback'}</h1><p class="unit">${page.unitName}</p></header>
<main id="main">
<div class="slip">
<p>Your reference is</p>
<p class="reference">${page.reference}</p>
${easy ? html`<p>${trusted(pictograms.we_did)}</p><p>Keep this number. It lets you see what we did.</p><p>Staff can help you look it up.</p>` : null}
<p>${easy ? 'To look it up yourself:' : 'Keep this reference to follow what happens.'} Go to <strong>${page.trackUrl.replace(/^https?:\/\//, '').replace(/\/[^/]+$/, '')}</strong> and type it in, or visit <a href="${page.trackUrl}">${page.trackUrl.replace(/^https?:\/\//, '')}</a>.</p>
</div>
<p class="no-print">${easy ? 'You can print this page. Or write the reference down.' : 'You can print this page as a slip, or write the reference down.'}</p>
${page.mode.kiosk ? html`<p class="no-print"><a class="big" href="${page.startUrl}">Start again</a></p><p class="no-print">This page clears itself after two minutes.</p>` : null}
</main>
<footer><p>For help now: in an emergency call 999. For urgent mental health help call NHS 111 and choose option 2.</p></footer>`;
  return {
    title: `Feedback sent: ${page.reference} – ${page.unitName}`,
    assets: { css: formCss, ownScripts: page.mode.kiosk },
    body: html`${body}${page.mode.kiosk ? html`<script type="module" src="/tell-us/assets/tell-us.js"></script>` : null}`,
    bodyData: page.mode.kiosk ? { kiosk: '1', 'start-url': page.startUrl } : undefined,
  };
}

/** A page for a person who has sent too much this hour. */
export function renderTooManyPage(unitName: string, minutes: number): Document {
  return {
    title: `Please try again later – ${unitName}`,
    assets: { css: formCss },
    body: html`<header><h1>Please try again later</h1><p class="unit">${unitName}</p></header>
<main id="main"><p>We have had a lot of messages from this device or network this hour. Please try again in ${minutes} minutes, or talk to any member of staff.</p></main>`,
  };
}
