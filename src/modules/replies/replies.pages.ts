import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Document, html, htmlResponse, type SafeHtml, sendPage } from '../../http/pages/html.js';
import { pageCss } from '../../http/pages/styles.js';
import { problemResponse } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import { replyParamsSchema } from './replies.schemas.js';
import { getReplySlip, type ReplySlip } from './replies.service.js';

const paperSizes = ['a5', 'a4'] as const;
type Paper = (typeof paperSizes)[number];

/**
 * The slip on paper: A5 (folded A4) by default, A4 for large print, which needs the room. Large
 * print is 18 pt (RNIB's large print is 16 pt and up), standard 12 pt; the staff notes never print.
 */
function slipCss(paper: Paper, largePrint: boolean): string {
  const printSize = largePrint ? '18pt' : '12pt';
  return `${pageCss}
.slip{max-width:48rem}
.slip .reference{font-size:1.2em}
.slip .link{overflow-wrap:anywhere;font-weight:700}
.large-print{font-size:1.35em;line-height:1.5}
.large-print h1{font-size:1.6em}
.staff{border:.2rem dashed var(--ink);background:var(--panel);padding:.7em 1em;margin:1.5em 0}
@media print{
@page{size:${paper.toUpperCase()} portrait;margin:${paper === 'a5' ? '10mm' : '15mm'}}
html,body{font-size:${printSize}}
.large-print{font-size:1em}
.staff{display:none!important}
header{border-bottom:1pt solid #000}
}`
    .trim()
    .replace(/\n/g, '');
}

function staffNotes(slip: ReplySlip, paper: Paper): SafeHtml {
  const { reply } = slip;
  const other: Paper = paper === 'a5' ? 'a4' : 'a5';
  return html`<aside class="staff" aria-labelledby="staff-heading">
<h2 id="staff-heading">For staff (not printed)</h2>
${
  reply.supportNeeded
    ? html`<p><strong>Support needed:</strong> ${reply.supportNeeded}. Arrange it before you give this reply, so the person can take it in.</p>`
    : null
}
<p>Status: ${reply.status.replace('_', ' ')}${reply.lastError ? html` (${reply.lastError})` : null}. Channel: ${reply.channel.replace('_', ' ')}.${reply.easyRead ? ' Easy Read.' : ''}${reply.largePrint ? ' Large print.' : ''}</p>
<p>Print this page (it fits ${paper.toUpperCase()}; <a href="?paper=${other}">${other.toUpperCase()} instead</a>). When you have given it to the person, record it: POST /v1/feedback/${reply.feedbackId}/replies/${reply.id}/handed-over.</p>
</aside>`;
}

function slipPage(slip: ReplySlip, paper: Paper): Document {
  const { message } = slip;
  return {
    title: `Reply slip ${slip.reference} – WeDid`,
    assets: { css: slipCss(paper, message.largePrint) },
    body: html`<div class="slip${message.largePrint ? ' large-print' : ''}">
<header><h1>${message.subject.replace(` (reference ${slip.reference})`, '')}</h1>
<p class="unit">${slip.unitName}</p>
<p class="reference">Your reference: <strong>${slip.reference}</strong></p></header>
<main id="main">
${message.paragraphs.map((paragraph) => html`<p>${paragraph}</p>`)}
<p>${message.trackingPrompt}</p>
<p class="link">${message.trackingUrl}</p>
${staffNotes(slip, paper)}
</main></div>`,
  };
}

/** GET /v1/feedback/{id}/replies/{replyId}/slip: the printable reply, for staff to hand over. */
export const repliesPages: FastifyPluginAsyncZod = async (app) => {
  app.get('/v1/feedback/:id/replies/:replyId/slip', {
    config: { auth: { roles: ['staff'] }, noStore: true },
    schema: {
      operationId: 'getReplySlip',
      tags: ['replies'],
      summary: 'A printable reply slip to hand to the person: the reference and the public answer',
      description:
        'An accessible HTML page that prints on A5 (or A4 with `paper=a4`; large print, 18 pt, prints on A4 unless asked otherwise), in Easy Read when the person asked for it. It holds what the reply says: the reference, the unit, the summary and the public answer, and the tracking link where the person can say whether it answered them. Never the person’s own words, their contact details or anyone else’s. A box for staff, left off the print, says what support the person needs (`supportNeeded`). For an in-person reply, and as the fallback when an email, SMS or letter failed. A cancelled reply (the item was erased) answers 409. `Cache-Control: no-store`.',
      params: replyParamsSchema,
      querystring: z.object({
        paper: z
          .enum(paperSizes)
          .optional()
          .describe('Paper size to print on: `a5` (default) or `a4` (default for large print)'),
      }),
      response: {
        200: htmlResponse('The reply slip'),
        409: problemResponse('The reply was cancelled: the item was erased (`illegal-transition`)'),
      },
    },
    handler: async (request, reply) => {
      const slip = await getReplySlip(
        app.db,
        principalOf(request),
        request.params.id,
        request.params.replyId,
        app.config.PUBLIC_BASE_URL,
      );
      const paper = request.query.paper ?? (slip.message.largePrint ? 'a4' : 'a5');
      return sendPage(reply, 200, slipPage(slip, paper));
    },
  });
};
