import { type Document, html, type SafeHtml } from '../../http/pages/html.js';
import { renderBoardContent } from '../boards/boards.render.js';
import type { BoardPreview, HeldBackReason } from '../boards/boards.service.js';
import type { Unit } from '../units/units.schemas.js';
import { consolePage } from './console.render.js';

const reasonWords: Record<HeldBackReason, string> = {
  no_summary: 'no “You said” summary written yet',
  no_consent: 'the person has not agreed it may go on a board',
  flagged: 'flagged for safeguarding: someone must look at it first',
  erased: 'erased',
};

function heldBackSection(preview: BoardPreview): SafeHtml {
  const { heldBack, heldBackTotal } = preview;
  return html`<section aria-labelledby="held-back-title"><h2 id="held-back-title">Not on the board yet</h2>
${
  heldBack.length > 0
    ? html`<p>${heldBackTotal} ${heldBackTotal === 1 ? 'item has' : 'items have'} an action or a decision, but ${heldBackTotal === 1 ? 'its' : 'their'} “You said” is left off the board. Writing a summary, or the person’s consent, would put it there.${heldBackTotal > heldBack.length ? ` The newest ${heldBack.length} are listed.` : ''}</p>
<ul>${heldBack.map(
        (item) =>
          html`<li><a href="/console/feedback/${item.id}">${item.reference}</a>: ${item.reasons.map((reason) => reasonWords[reason]).join('; ')}</li>`,
      )}</ul>`
    : html`<p>Every item with an action or a decision is on the board, or there are none yet.</p>`
}</section>`;
}

/**
 * The board of a unit as the ward sees it, drawn by the boards module's own renderer inside the
 * console (no refresh script: staff reload to see changes), then what it leaves out and why.
 */
export function renderBoardPreviewPage(preview: BoardPreview, easyRead: boolean, csrf: string): Document {
  const { unit, built } = preview;
  const path = `/console/units/${unit.id}/board`;
  return consolePage(
    `Board preview: ${unit.name}`,
    html`<p>What the board of ${unit.name} shows now${easyRead ? ', in Easy Read' : ''}. <a href="${path}?easyRead=${easyRead ? '0' : '1'}">${easyRead ? 'Standard version' : 'Easy Read version'}</a>. <a href="/boards/${encodeURIComponent(unit.code)}">The public board</a>.</p>
${
  built
    ? html`<div class="board-preview${easyRead ? ' easy-read' : ''}">${renderBoardContent(built.board, easyRead)}</div>`
    : html`<p>This unit’s board is switched off: nothing of it is shown to anyone.</p>`
}
${heldBackSection(preview)}
<p><a href="/console/boards">All board previews</a></p>`,
    { csrf },
    undefined,
    '.board-preview{border:.2rem dashed var(--ink);padding:.2em 1em;margin:1em 0}',
  );
}

/** The units in the person's scope, each with its board preview. */
export function renderBoardPickerPage(units: readonly Unit[], nextCursor: string | null, csrf: string): Document {
  return consolePage(
    'Board previews',
    html`<p>See what each unit’s board shows, and what is not on it yet.</p>
<ul>${units.map((unit) => html`<li><a href="/console/units/${unit.id}/board">${unit.name}</a> (${unit.code})</li>`)}</ul>
${nextCursor ? html`<p><a href="/console/boards?cursor=${nextCursor}">Next page</a></p>` : null}
<p><a href="/console">Back to the console</a></p>`,
    { csrf },
  );
}
