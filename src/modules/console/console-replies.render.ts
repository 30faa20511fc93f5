import { type Document, html, type SafeHtml } from '../../http/pages/html.js';
import { errorSummary, type FieldError } from '../panel/panel.shell.js';
import type { WaitingReply } from '../replies/replies.service.js';
import { consolePage } from './console.render.js';

export interface WaitingRepliesView {
  replies: readonly WaitingReply[];
  nextCursor: string | null;
  csrf: string;
  /** A reply was just recorded as handed over. */
  handedOver: boolean;
  /** A hand-over that was refused, and why. */
  errors: readonly FieldError[];
}

const words = (value: string) => value.replace(/_/g, ' ');

/** What staff must do for this reply, in the words of the job: print, arrange, hand over. */
function whatIsNeeded(reply: WaitingReply): SafeHtml {
  const slip = `print the ${reply.largePrint ? 'large-print ' : ''}${reply.easyRead ? 'Easy Read ' : ''}reply slip`;
  const why =
    reply.status === 'queued'
      ? html`In person: ${slip} and give it to them.`
      : html`It could not go by ${words(reply.channel)}${reply.lastError ? html` (${reply.lastError})` : null}: ${slip} and give it to them instead.`;
  return html`${why}${reply.supportNeeded ? html` Arrange first: ${reply.supportNeeded}.` : null}`;
}

function row(reply: WaitingReply, csrf: string): SafeHtml {
  const hidden = html`<span class="visually-hidden"> for ${reply.reference}</span>`;
  return html`<tr><th scope="row"><a href="/console/feedback/${reply.feedbackId}">${reply.reference}</a></th>
<td>${reply.unitName}</td>
<td>${reply.kind === 'answer' ? 'Answer' : 'Acknowledgement'}. ${whatIsNeeded(reply)}</td>
<td><time datetime="${reply.createdAt}">${reply.createdAt.slice(0, 10)}</time></td>
<td><a href="/console/replies/${reply.id}/slip">Print the slip${hidden}</a></td>
<td><form method="post" action="/console/replies/${reply.id}/handed-over"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit">Handed over${hidden}</button></form></td></tr>`;
}

/** The replies waiting for staff across the person's units, oldest first. No one's words. */
export function renderWaitingRepliesPage(view: WaitingRepliesView): Document {
  const { replies, csrf } = view;
  return consolePage(
    'Replies waiting for staff',
    html`${errorSummary(view.errors, false)}${
      view.handedOver
        ? html`<div class="notice" role="status"><p>Recorded as handed over. The item counts as acknowledged.</p></div>`
        : null
    }
<p>In-person replies, and emails, texts and letters that could not be sent, of the items in your units. The longest waiting come first.</p>
${
  replies.length > 0
    ? html`<div class="table-wrap"><table id="waiting"><caption>Waiting for staff, oldest first</caption>
<thead><tr><th scope="col">Reference</th><th scope="col">Unit</th><th scope="col">What is needed</th><th scope="col">Waiting since</th><th scope="col">Slip</th><th scope="col">When given</th></tr></thead>
<tbody>${replies.map((reply) => row(reply, csrf))}</tbody></table></div>`
    : html`<p id="waiting">No replies are waiting for staff.</p>`
}
${view.nextCursor ? html`<p><a href="/console/replies?cursor=${view.nextCursor}">Next page</a></p>` : null}
<p><a href="/console">Back to the console</a></p>`,
    { csrf },
    undefined,
    '.notice{border:.3rem solid var(--did);padding:.2em 1em;margin:1em 0}td form{margin:0}',
  );
}

/** A slip that cannot be printed (the item was erased): why, and the way back. */
export const renderNoSlipPage = (reason: string, csrf: string): Document =>
  consolePage(
    'There is no slip to print',
    html`<p>${reason}</p><p><a href="/console/replies">Back to the replies waiting for staff</a></p>`,
    { csrf },
  );
