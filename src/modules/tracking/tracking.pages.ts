import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Document, html, htmlResponse, type SafeHtml, sendPage } from '../../http/pages/html.js';
import { publicRateLimit } from '../../http/pages/rate-limit.js';
import { pageCss } from '../../http/pages/styles.js';
import { HttpProblem, problemResponse } from '../../http/problems.js';
import { parseReference } from '../feedback/reference.js';
import { createFollowUpSchema, followUpCommentMaxLength } from '../follow-ups/follow-ups.schemas.js';
import { answerFollowUp, type FollowUpState, followUpState } from '../follow-ups/follow-ups.service.js';
import { findTrackingView, type TrackingView } from './tracking.service.js';

const longDate = (iso: string) => {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: dateOnly ? 'UTC' : 'Europe/London',
  }).format(new Date(dateOnly ? `${iso}T00:00:00Z` : iso));
};

function form(value: string): SafeHtml {
  return html`<form method="get" action="/track">
<label for="reference">Your reference</label>
<p id="reference-hint">It is 8 letters and numbers, like K7MQ-3XRD. You will find it on the note or message you were given.</p>
<input type="text" id="reference" name="reference" value="${value}" aria-describedby="reference-hint" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="20">
<div><button type="submit">Show my feedback</button></div>
</form>`;
}

function answer(view: TrackingView): SafeHtml | null {
  const result = view.answer;
  if (!result) return null;
  if (result.type === 'we_couldnt') {
    const decision = result.decision;
    if (!decision) return null;
    return html`<section class="panel" aria-labelledby="answer-heading"><h2 id="answer-heading">We couldn’t, because</h2>
<p>${decision.explanation}</p>
${decision.referredTo ? html`<p>We have passed it on to: ${decision.referredTo}</p>` : null}
<p class="date">Decided on ${longDate(decision.decidedAt)}</p></section>`;
  }
  const heading = result.type === 'we_did' ? 'We did' : 'We are doing';
  return html`<section class="panel" aria-labelledby="answer-heading"><h2 id="answer-heading">${heading}</h2>
${result.actions.map(
  (action) => html`<h3>${action.title}</h3>
${action.outcome ? html`<p>${action.outcome}</p>` : action.description ? html`<p>${action.description}</p>` : null}
${action.recommendedByPanel ? html`<p>Our lived experience panel recommended this.</p>` : null}
${
  action.completedAt
    ? html`<p class="date">Done on ${longDate(action.completedAt)}</p>`
    : action.plannedFor
      ? html`<p class="date">Planned for ${longDate(action.plannedFor)}</p>`
      : null
}`,
)}</section>`;
}

/** What the person sent in the follow-up form, and what was wrong with it, to show it again. */
interface FollowUpForm {
  answer?: string;
  comment?: string;
  errors: { field: 'answer' | 'comment'; message: string }[];
}

const answerChoices = [
  { value: 'yes', label: 'Yes' },
  { value: 'partly', label: 'Partly' },
  { value: 'no', label: 'No' },
] as const;

/** "Did this answer you?" as a form that needs no script: radios in a fieldset, errors linked to their fields. */
function followUpForm(reference: string, sent: FollowUpForm | null): SafeHtml {
  const errorOf = (field: FollowUpForm['errors'][number]['field']) =>
    sent?.errors.find((error) => error.field === field)?.message;
  const answerError = errorOf('answer');
  const commentError = errorOf('comment');
  const summary =
    sent && sent.errors.length > 0
      ? html`<div class="error-summary" role="alert" aria-labelledby="error-summary-heading">
<h3 id="error-summary-heading">There is a problem</h3>
<ul>${sent.errors.map(
          (error) =>
            html`<li><a href="${error.field === 'answer' ? '#answer-yes' : '#comment'}">${error.message}</a></li>`,
        )}</ul></div>`
      : null;
  return html`<section class="panel" id="follow-up" aria-labelledby="follow-up-heading">
<h2 id="follow-up-heading">Tell us if this answered you</h2>
${summary}
<form method="post" action="/track/${encodeURIComponent(reference)}/follow-up">
<div${answerError ? html` class="has-error"` : null}>
<fieldset aria-describedby="answer-hint${answerError ? ' answer-error' : ''}">
<legend>Did this answer you?</legend>
<p class="hint" id="answer-hint">If it did not, we will look at your feedback again.</p>
${answerError ? html`<p class="error-message" id="answer-error"><span class="visually-hidden">Error: </span>${answerError}</p>` : null}
${answerChoices.map(
  (choice) =>
    html`<div class="choice"><input type="radio" id="answer-${choice.value}" name="answer" value="${choice.value}"${
      sent?.answer === choice.value ? html` checked` : null
    }><label for="answer-${choice.value}">${choice.label}</label></div>`,
)}
</fieldset>
</div>
<div${commentError ? html` class="has-error"` : null}>
<label for="comment">Is there anything else you want to tell us? (optional)</label>
<p class="hint" id="comment-hint">Only the staff who look at feedback will read this. We never show it on the ward board. You do not need to give your name.</p>
${commentError ? html`<p class="error-message" id="comment-error"><span class="visually-hidden">Error: </span>${commentError}</p>` : null}
<textarea id="comment" name="comment" rows="4" maxlength="${followUpCommentMaxLength}" aria-describedby="comment-hint${commentError ? ' comment-error' : ''}">${sent?.comment ?? ''}</textarea>
</div>
<div><button type="submit">Send my answer</button></div>
</form></section>`;
}

const thanks: Record<'yes' | 'partly', string> = {
  yes: 'You told us our answer helped you.',
  partly: 'You told us our answer partly helped you.',
};

function followUpSection(reference: string, state: FollowUpState | null, sent: FollowUpForm | null): SafeHtml | null {
  if (!state) return null;
  if (state.ask) return followUpForm(reference, sent);
  const words =
    state.answer === 'no'
      ? html`<p>You told us our answer did not help you.</p>
${state.reopened ? html`<p>We have opened your feedback again. We will look at it again and tell you what we do.</p>` : null}`
      : html`<p>${thanks[state.answer]}</p>`;
  return html`<section class="panel" id="follow-up" aria-labelledby="follow-up-heading">
<h2 id="follow-up-heading">Thank you for telling us</h2>
${words}</section>`;
}

interface TrackingPageParts {
  status: number;
  view: TrackingView | null;
  typed: string;
  followUp?: FollowUpState | null;
  sent?: FollowUpForm | null;
}

function trackingPage({ status, view, typed, followUp = null, sent = null }: TrackingPageParts): Document {
  let main: SafeHtml;
  if (view) {
    main = html`<section aria-labelledby="result-heading">
<h2 id="result-heading">Feedback ${view.reference}</h2>
<p><strong>${view.statusText}.</strong></p>
<p>About: ${view.unitName}</p>
<p>We received it on ${longDate(view.receivedAt)}.</p>
${
  view.closedAt
    ? html`<p>We answered it on ${longDate(view.closedAt)}.</p>`
    : html`<p>We aim to answer by ${longDate(view.dueAt)}.</p>`
}
${view.youSaid ? html`<p>What we show on the ward board: “${view.youSaid}”</p>` : null}
${answer(view)}
${followUpSection(view.reference, followUp, sent)}
<p><a href="/tell-us/${encodeURIComponent(view.unitCode)}">Tell ${view.unitName} something new</a></p>
</section>
<h2>Look up another reference</h2>
${form('')}`;
  } else if (status === 404) {
    main = html`<section aria-labelledby="result-heading"><h2 id="result-heading">We could not find that reference</h2>
<p>Please check it and try again. If it still does not work, ask a member of staff.</p></section>
${form(typed)}`;
  } else {
    main = html`<p>Type the reference you were given to see where your feedback is and what we did about it.</p>${form('')}`;
  }
  return {
    title: sent?.errors.length
      ? `Error: Your feedback ${view?.reference ?? ''} – WeDid`
      : view
        ? `Your feedback ${view.reference} – WeDid`
        : status === 404
          ? 'Reference not found – WeDid'
          : 'Follow your feedback – WeDid',
    assets: { css: pageCss },
    body: html`<header><h1>Follow your feedback</h1></header>
<main id="main">${main}</main>
<footer><p>We never show your name, contact details or your own words here. Only the summary you agreed to share.</p></footer>`,
  };
}

/** The HTML page: GET /track/{reference}, and GET /track with the form. */
export const trackingPages: FastifyPluginAsyncZod = async (app) => {
  app.get('/track', {
    // Looks nothing up (a typed reference is redirected to /track/{reference}, which spends the
    // guess), so it has the public pages' general limit.
    config: { auth: 'public', rateLimit: publicRateLimit(app.config.BOARD_RATE_LIMIT_PER_MINUTE), noStore: true },
    schema: {
      operationId: 'getTrackingForm',
      tags: ['tracking'],
      summary: 'A web page where a person types their reference to follow their feedback',
      description:
        'With `reference`, redirects (303) to the page for that reference; without it, shows the form. `Cache-Control: no-store`.',
      querystring: z.object({
        reference: z
          .string()
          .max(100)
          .optional()
          .catch(undefined)
          .describe('The reference as typed; the form sends it here'),
      }),
      response: {
        200: htmlResponse('The form'),
        303: z.null().describe('See `Location`: the page for the reference'),
      },
    },
    handler: async (request, reply) => {
      const typed = request.query.reference?.trim();
      if (typed) {
        // The form's GET lands here; the page for a reference has one address.
        const target = parseReference(typed) ?? typed;
        return reply.redirect(`/track/${encodeURIComponent(target)}`, 303);
      }
      return sendPage(reply, 200, trackingPage({ status: 200, view: null, typed: '' }));
    },
  });

  app.get('/track/:reference', {
    config: { auth: 'public', addressBudget: 'tracking', noStore: true },
    schema: {
      operationId: 'getTrackingPage',
      tags: ['tracking'],
      summary: 'A web page showing one piece of feedback by its reference: status and public answer',
      description:
        'What GET /v1/track/{reference} shows, for people: never the name, contact details or the person’s own words. An unknown or malformed reference answers the same 404 page, with the form to try again. `Cache-Control: no-store`; rate limited per address so references cannot be found by trying many.',
      params: z.object({ reference: z.string().describe('`XXXX-XXXX`, any case, hyphen optional') }),
      response: {
        200: htmlResponse('The feedback’s status and answer'),
        404: htmlResponse('A page saying the reference was not found, with the form'),
      },
    },
    handler: async (request, reply) => {
      const typed = request.params.reference.slice(0, 40);
      // Unknown and malformed references get the same page, so nothing is learnt by guessing.
      const view = await findTrackingView(app.db, typed);
      if (!view) return sendPage(reply, 404, trackingPage({ status: 404, view: null, typed }));
      const followUp = await followUpState(app.db, typed);
      return sendPage(reply, 200, trackingPage({ status: 200, view, typed: '', followUp }));
    },
  });

  await app.register(followUpFormRoute);
};

/** The form's fields as sent: the first value of each, as text. */
function formFields(body: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) fields[name] ??= value;
  return fields;
}

/** The form's words for each way its fields can be wrong. */
function formErrors(fields: { answer?: string; comment?: string }): FollowUpForm['errors'] {
  const parsed = createFollowUpSchema.safeParse({
    answer: fields.answer || undefined,
    ...(fields.comment === undefined ? {} : { comment: fields.comment }),
  });
  if (parsed.success) return [];
  const errors: FollowUpForm['errors'] = [];
  if (parsed.error.issues.some((issue) => issue.path[0] === 'answer')) {
    errors.push({ field: 'answer', message: 'Choose yes, partly or no' });
  }
  const comment = parsed.error.issues.find((issue) => issue.path[0] === 'comment');
  if (comment) {
    errors.push({
      field: 'comment',
      message:
        comment.code === 'too_big'
          ? `Your comment must be ${followUpCommentMaxLength.toLocaleString('en-GB')} characters or fewer`
          : 'Your comment has a character we cannot keep: please take it out',
    });
  }
  return errors;
}

/** Its own scope, for the form's body type (application/x-www-form-urlencoded), which no JSON route reads. */
const followUpFormRoute: FastifyPluginAsyncZod = async (app) => {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, formFields(String(body))),
  );

  app.post('/track/:reference/follow-up', {
    config: { auth: 'public', addressBudget: 'tracking', noStore: true },
    bodyLimit: 16_384,
    schema: {
      operationId: 'answerFollowUpForm',
      tags: ['tracking'],
      summary: 'The "Did this answer you?" form on the tracking page, sent without JavaScript',
      description:
        'What POST /v1/track/{reference}/follow-up does, for people: `answer` (`yes`, `partly` or `no`) and an optional private `comment`, as a form. Answers 303 to the tracking page, which then thanks the person (Post/Redirect/Get); a form with a mistake is shown again (400) with each error linked to its field. An answer already given, or an item no longer closed, also goes back to the page, which says where things stand. Unknown and malformed references both answer the same 404 page; rate limited per address together with tracking.',
      consumes: ['application/x-www-form-urlencoded'],
      params: z.object({ reference: z.string().describe('`XXXX-XXXX`, any case, hyphen optional') }),
      body: z.object({
        answer: z.string().optional().describe('`yes`, `partly` or `no`'),
        comment: z.string().optional().describe('Private, optional'),
      }),
      response: {
        303: z.null().describe('See `Location`: the tracking page, which now thanks the person'),
        400: {
          description:
            'The form again (HTML), with what to put right; a request no browser would send (a malformed path or body) gets problem details',
          content: {
            ...htmlResponse('').content,
            ...problemResponse('').content,
          },
        },
        404: htmlResponse('A page saying the reference was not found, with the form'),
      },
    },
    handler: async (request, reply) => {
      const typed = request.params.reference.slice(0, 40);
      const fields = request.body;
      const page = `/track/${encodeURIComponent(parseReference(typed) ?? typed)}`;
      const errors = formErrors(fields);
      if (errors.length > 0) {
        const view = await findTrackingView(app.db, typed);
        if (!view) return sendPage(reply, 404, trackingPage({ status: 404, view: null, typed }));
        const followUp = await followUpState(app.db, typed);
        const sent = { ...fields, errors };
        return sendPage(reply, 400, trackingPage({ status: 400, view, typed: '', followUp, sent }));
      }
      try {
        await answerFollowUp(
          app.db,
          typed,
          createFollowUpSchema.parse({ answer: fields.answer, comment: fields.comment }),
        );
      } catch (error) {
        if (!(error instanceof HttpProblem)) throw error;
        if (error.status === 404) return sendPage(reply, 404, trackingPage({ status: 404, view: null, typed }));
        // Already answered, or no longer closed: the page says where things stand.
        if (error.status !== 409) throw error;
      }
      return reply.redirect(`${page}#follow-up`, 303);
    },
  });
};
