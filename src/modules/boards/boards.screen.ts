import { type Document, html, type SafeHtml, trusted } from '../../http/pages/html.js';
import { qrCodeSvg } from '../../http/pages/qr.js';
import {
  type BoardPageOptions,
  boardDocument,
  card,
  fftLine,
  figures,
  lastChanged,
  panelCard,
  panelShown,
  pictogramTemplate,
} from './boards.render.js';
import type { Board } from './boards.schemas.js';
import { screenClientScript } from './boards.screen-client.js';
import { screenCss } from './boards.screen-styles.js';
import { boardWords } from './boards.words.js';

/**
 * Summaries a wall-screen card lists before counting the rest: an action answering twenty comments
 * would otherwise need a screen of its own in small type, and a few say what people asked for.
 */
export const screenSaidShown = 3;

/** The figures (beside the entries) and the entries: the parts of the screen that grow with the board. */
export interface ScreenContent {
  side: SafeHtml;
  entries: SafeHtml;
}

/**
 * The wall screen's part that grows with the board (figures and every entry, the panel's answered
 * recommendations after the others), cached like the board page's. The script lays the entries into screens by their measured height; without it the
 * page is the same content as a readable page that scrolls.
 */
export function renderScreenContent(board: Board, easyRead: boolean): ScreenContent {
  const words = easyRead ? boardWords.easyRead : boardWords.standard;
  const panel = panelShown(board);
  const side = html`<section class="side-figures" aria-labelledby="figures-heading">${figures(board, easyRead)}${fftLine(board, words)}</section>`;
  const entries = html`<h2 id="entries-heading" class="visually-hidden">${easyRead ? 'What you said and what we did' : 'What you said and what happened'}</h2>
<ol class="entries" id="entries">${board.entries.map((entry) => card(entry, words, easyRead, screenSaidShown))}${panel.map(
    (entry) => panelCard(entry, easyRead),
  )}</ol>
<p class="empty" id="empty"${board.entries.length + panel.length > 0 ? trusted(' hidden') : null}>${
    easyRead ? 'There is nothing here yet.' : 'Nothing to show yet. Answers to feedback will appear here.'
  }</p>`;
  return { side, entries };
}

export interface ScreenPageOptions extends Omit<BoardPageOptions, 'switchUrl'> {
  /** Seconds each screen of entries stays up. */
  rotateSeconds: number;
}

/** The QR code of the feedback form, with its short address, for someone across the room with a phone. */
function tellUs(url: string, easyRead: boolean): SafeHtml {
  const short = url.replace(/^https?:\/\//, '');
  return html`<section class="tell-us" aria-labelledby="tell-us-heading">${qrCodeSvg(url, `QR code for ${short}`)}<div>
<h2 id="tell-us-heading">Tell us what you think</h2>
<p>${easyRead ? 'Scan the code with your phone. Or type:' : 'Scan the code with your phone camera, or type:'}</p>
<p class="short-address">${short}</p>
</div></section>`;
}

/**
 * GET /boards/{unitCode}?mode=screen: the board for a ward television or a tablet by the door. One
 * screen, never scrolled: the unit, the figures, the QR code and as many whole entries as fit,
 * turning over every `rotateSeconds`. `content` is renderScreenContent(board, options.easyRead).
 */
export function renderScreenPage(board: Board, content: ScreenContent, options: ScreenPageOptions): Document {
  const { easyRead } = options;
  const body = html`<div class="screen">
<header class="screen-head">
<h1>You said, we did</h1>
<p class="unit">${board.unit.name}</p>
</header>
<aside class="side" aria-label="${easyRead ? 'About this board' : 'Figures and how to tell us'}">
${content.side}
${tellUs(options.tellUsUrl, easyRead)}
<p class="status" id="board-status" role="status">${easyRead ? 'This board updates by itself.' : `This board updates itself every ${options.refreshSeconds} seconds.`}</p>
</aside>
<main id="main" class="screen-main${easyRead ? ' easy-read' : ''}" tabindex="0" aria-labelledby="entries-heading">
${content.entries}
</main>
<footer class="screen-foot">
${lastChanged(board, easyRead)}
<p class="screen-page" id="screen-page" hidden></p>
</footer>
</div>
${pictogramTemplate}`;
  return boardDocument(board, body, { css: screenCss, script: screenClientScript }, options, {
    rotate: String(options.rotateSeconds),
    'said-shown': String(screenSaidShown),
    panel: 'entries',
  });
}
