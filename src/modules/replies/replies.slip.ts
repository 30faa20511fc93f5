import { type Document, html, type SafeHtml } from '../../http/pages/html.js';
import { pageCss } from '../../http/pages/styles.js';
import type { Paper } from './replies.schemas.js';
import type { ReplySlip } from './replies.service.js';

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

function staffNotes(slip: ReplySlip, paper: Paper, recordIt: SafeHtml): SafeHtml {
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
<p>Use your browser’s Print to print this page (it fits ${paper.toUpperCase()}; <a href="?paper=${other}">${other.toUpperCase()} instead</a>).</p>
${recordIt}
</aside>`;
}

/** How the API's slip says to record the hand-over; the console's slip links its own form instead. */
const recordByApi = (slip: ReplySlip): SafeHtml =>
  html`<p>When you have given it to the person, record it: POST /v1/feedback/${slip.reply.feedbackId}/replies/${slip.reply.id}/handed-over.</p>`;

/**
 * The printable reply slip, shared by the API's slip route and the console's, on the paper asked for
 * (large print needs A4's room unless asked otherwise). `recordIt` is the
 * staff box's last paragraph: how to record that the slip was handed over.
 */
export function slipPage(slip: ReplySlip, asked: Paper | undefined, recordIt = recordByApi(slip)): Document {
  const { message } = slip;
  const paper = asked ?? (message.largePrint ? 'a4' : 'a5');
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
${staffNotes(slip, paper, recordIt)}
</main></div>`,
  };
}
