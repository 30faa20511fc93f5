import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Document, html, htmlResponse, type SafeHtml, sendPage } from '../../http/pages/html.js';
import { publicRateLimit } from '../../http/pages/rate-limit.js';
import { pageCss } from '../../http/pages/styles.js';
import { parseReference } from '../feedback/reference.js';
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
${
  action.completedAt
    ? html`<p class="date">Done on ${longDate(action.completedAt)}</p>`
    : action.plannedFor
      ? html`<p class="date">Planned for ${longDate(action.plannedFor)}</p>`
      : null
}`,
)}</section>`;
}

function trackingPage(status: number, view: TrackingView | null, typed: string): Document {
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
    title: view
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
      return sendPage(reply, 200, trackingPage(200, null, ''));
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
      return sendPage(reply, view ? 200 : 404, trackingPage(view ? 200 : 404, view, view ? '' : typed));
    },
  });
};
