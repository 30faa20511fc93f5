import { type Document, html, type PageAssets, type SafeHtml, trusted } from '../../http/pages/html.js';
import { qrCodeSvg } from '../../http/pages/qr.js';
import { pageCss } from '../../http/pages/styles.js';
import { boardClientScript } from './boards.client.js';
import { pictograms } from './boards.pictograms.js';
import type { Board, BoardEntry, BoardPanelEntry } from './boards.schemas.js';
import { type BoardWords, boardWords, fftSentence, moreSaid, panelWords } from './boards.words.js';

const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
/** An entry carries 20 summaries at most (the board's own limit): the board page lists them all. */
const allSaid = 20;

// Made once: building an Intl.DateTimeFormat costs far more than formatting with one.
const dateFormat = (monthOnly: boolean, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    ...(monthOnly ? { month: 'long', year: 'numeric' } : { day: 'numeric', month: 'long', year: 'numeric' }),
    timeZone,
  });
// A plain date is a calendar day (UTC midnight); a timestamp is shown as it was in London.
const dateFormats = {
  day: { plain: dateFormat(false, 'UTC'), timestamp: dateFormat(false, 'Europe/London') },
  month: { plain: dateFormat(true, 'UTC'), timestamp: dateFormat(true, 'Europe/London') },
};

function formatDate(value: string, monthOnly: boolean): string {
  const isDateOnly = dateOnly.test(value);
  const time = Date.parse(isDateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time)) return value;
  const formats = monthOnly ? dateFormats.month : dateFormats.day;
  return (isDateOnly ? formats.plain : formats.timestamp).format(new Date(time));
}

function label(type: keyof typeof pictograms, text: string, easyRead: boolean): SafeHtml {
  return html`<h3 class="label">${easyRead ? trusted(pictograms[type]) : null}<span>${text}</span></h3>`;
}

/**
 * Mirrors card() in the refresh script: the same markup whether drawn here or in the browser. It
 * lists `shownSaid` summaries at most (Easy Read: one) and counts the others in a sentence.
 */
export function card(entry: BoardEntry, words: BoardWords, easyRead: boolean, shownSaid = allSaid): SafeHtml {
  let said: SafeHtml | null = null;
  const shown = entry.youSaid.slice(0, easyRead ? 1 : shownSaid);
  const others = entry.youSaid.length - shown.length;
  if (shown.length > 0) {
    const summaries =
      shown.length === 1 ? html`<p>${shown[0]}</p>` : html`<ul>${shown.map((text) => html`<li>${text}</li>`)}</ul>`;
    said = html`<div class="said">${label('you_said', words.youSaid, easyRead)}${summaries}${
      others > 0 ? html`<p class="more">${moreSaid(words, others)}</p>` : null
    }</div>`;
  }
  const showTitle = entry.title && entry.title !== entry.response && !(easyRead && entry.type === 'we_did');
  const planned = entry.type === 'we_are_doing' && dateOnly.test(entry.date);
  const dateWords = words.dates[planned ? 'we_are_doing_planned' : entry.type];
  return html`<li class="card ${entry.type}">${said}<div class="answer">${label(entry.type, words.labels[entry.type], easyRead)}${
    showTitle ? html`<p class="title">${entry.title}</p>` : null
  }<p>${entry.response}</p><p class="date">${dateWords} ${formatDate(entry.date, easyRead)}</p></div></li>`;
}

/** Accepted, its actions all cancelled, a recommendation has no answer to show yet. Mirrored in the refresh script. */
export const panelShown = (board: Board) =>
  board.panel.filter((entry) => entry.status === 'declined' || entry.actions.length > 0);

const panelTypes = { done: 'we_did', accepted: 'we_are_doing', declined: 'we_couldnt' } as const;

/**
 * One answered recommendation of the panel, laid out as an entry: what it recommended, then what
 * we did or are doing, or why not. Mirrors panelCard() in the refresh script.
 */
export function panelCard(entry: BoardPanelEntry, easyRead: boolean): SafeHtml {
  const words = easyRead ? boardWords.easyRead : boardWords.standard;
  const panel = easyRead ? panelWords.easyRead : panelWords.standard;
  const type = panelTypes[entry.status];
  const answers =
    entry.status === 'declined'
      ? [entry.response ?? '']
      : entry.actions.map((action) =>
          action.status === 'completed' ? (action.outcome ?? action.title) : action.title,
        );
  const when = entry.status === 'done' ? panel.doneOn : panel.answeredOn;
  return html`<li class="card panel-entry ${type}"><div class="said"><h3 class="label"><span>${panel.recommended}</span></h3><p>${entry.recommended}</p></div><div class="answer">${label(type, words.labels[type], easyRead)}${answers.map(
    (text) => html`<p>${text}</p>`,
  )}<p class="date">${when} ${formatDate(entry.date, easyRead)}</p></div></li>`;
}

/** The panel's section, hidden while there is nothing to show, so the refresh script can fill it in. */
function panelSection(board: Board, easyRead: boolean): SafeHtml {
  const words = easyRead ? panelWords.easyRead : panelWords.standard;
  const shown = panelShown(board);
  return html`<section id="panel-section" aria-labelledby="panel-heading"${shown.length > 0 ? null : trusted(' hidden')}>
<h2 id="panel-heading">${words.heading}</h2>
<p>${words.intro}</p>
<ul class="entries recommendations" id="panel-entries">${shown.map((entry) => panelCard(entry, easyRead))}</ul>
</section>`;
}

const timeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
});

/** Mirrors fmtTime() in the refresh script: "Last changed 2 December, 15:06". */
const formatTime = (value: string): string => timeFormat.format(new Date(value));

/** When the board last changed (`changedAt`), which the refresh script keeps current. */
export const lastChanged = (board: Board, easyRead: boolean) =>
  html`<p>${easyRead ? 'Changed' : 'Last changed'} <time id="board-changed" datetime="${board.changedAt}">${formatTime(board.changedAt)}</time></p>`;

export interface BoardPageOptions {
  easyRead: boolean;
  /** The JSON board the page polls, same origin. */
  boardUrl: string;
  etag: string;
  /** How often the page asks for news (a signage system may want another interval than 30 s). */
  refreshSeconds: number;
  /** Link to the other form (Easy Read or standard) of this page. */
  switchUrl: string;
  /** The unit's public feedback form (`PUBLIC_BASE_URL/tell-us/{unitCode}`), shown as a QR code. */
  tellUsUrl: string;
}

/** The form's address (PUBLIC_BASE_URL/tell-us/{unitCode}): the QR code's target and the poster's words. */
export const tellUsAddress = (publicBaseUrl: string, unitCode: string) =>
  `${publicBaseUrl}/tell-us/${encodeURIComponent(unitCode)}`;

/** The QR code of the feedback form with its short address written beside it, for phones and the printed poster. */
function tellUs(url: string, easyRead: boolean): SafeHtml {
  const short = url.replace(/^https?:\/\//, '');
  return html`<section class="tell-us" aria-labelledby="tell-us-heading">${qrCodeSvg(url, `QR code for ${short}`)}<div>
<h2 id="tell-us-heading">${easyRead ? 'Tell us something' : 'Tell us directly'}</h2>
<p>${easyRead ? 'Scan the code with your phone.' : 'Scan the code with your phone camera, or type this address:'}</p>
<p class="short-address"><a href="${new URL(url).pathname}">${short}</a></p>
${easyRead ? html`<p>Or talk to any member of staff.</p>` : null}
</div></section>`;
}

/** The FFT line, always in the page (hidden without enough answers) so the refresh script can fill it in. */
export function fftLine(board: Board, words: BoardWords): SafeHtml {
  const { fft } = board.stats;
  return html`<p class="fft" id="stat-fft"${fft ? null : trusted(' hidden')}>${fft ? fftSentence(words, fft) : ''}</p>`;
}

export const figures = (board: Board, easyRead: boolean) => {
  const { received, closed, actioned, notActioned } = board.stats;
  const figure = (id: string, value: number, text: string) =>
    html`<li><strong id="stat-${id}">${value}</strong> ${text}</li>`;
  return easyRead
    ? html`<h2 id="figures-heading">In the last 3 months</h2><ul class="figures">${figure('received', received, 'times people told us something')}${figure('closed', closed, 'of these we have answered')}</ul>`
    : html`<h2 id="figures-heading">The last 90 days</h2><ul class="figures">${figure('received', received, 'comments received')}${figure('closed', closed, 'answered')}${figure('actioned', actioned, 'led to something we did')}${figure('notActioned', notActioned, 'we couldn’t act on, and said why')}</ul>`;
};

/** The pictograms the refresh script copies into the cards it draws. */
export const pictogramTemplate = html`<template id="pictograms">${(
  ['you_said', 'we_did', 'we_are_doing', 'we_couldnt'] as const
).map((type) => html`<span data-type="${type}">${trusted(pictograms[type])}</span>`)}</template>`;

/**
 * The part of the page that grows with the board (figures and entries): the same for every
 * `refresh` and page address, so it is built once per board and form, and cached.
 */
export function renderBoardContent(board: Board, easyRead: boolean): SafeHtml {
  const words = easyRead ? boardWords.easyRead : boardWords.standard;
  return html`<section aria-labelledby="figures-heading">${figures(board, easyRead)}${fftLine(board, words)}</section>
<section aria-labelledby="entries-heading">
<h2 id="entries-heading">${easyRead ? 'What you said and what we did' : 'What you said and what happened'}</h2>
<ol class="entries" id="entries">${board.entries.map((entry) => card(entry, words, easyRead))}</ol>
<p class="empty" id="empty"${board.entries.length > 0 ? trusted(' hidden') : null}>${
    easyRead ? 'There is nothing here yet.' : 'Nothing to show yet. Answers to feedback will appear here.'
  }</p>
</section>${panelSection(board, easyRead)}`;
}

/**
 * The wall-screen page: the same content as the JSON board, for people reading across a room.
 * `content` is renderBoardContent(board, options.easyRead); the rest is small and rendered per request.
 */
export function renderBoardPage(board: Board, content: SafeHtml, options: BoardPageOptions): Document {
  const { easyRead } = options;
  const intro = easyRead
    ? html`<p class="intro">This board shows what people told us.</p><p class="intro">It shows what we did about it.</p><p class="intro">Want to tell us something? Scan the code below, or talk to any member of staff.</p>`
    : html`<p class="intro">This board shows what patients, carers and families told us, and what we did about it. To give feedback, scan the code below, talk to any member of staff, use the feedback box or kiosk, or ask for a form. If you were given a reference, you can follow your feedback at /track.</p>`;
  const body = html`<a class="jump-link" href="#main">Skip to the board</a>
<header>
<h1>You said, we did</h1>
<p class="unit">${board.unit.name}</p>
${intro}
<p class="switch"><a href="${options.switchUrl}">${easyRead ? 'Standard version of this board' : 'Easy Read version of this board'}</a></p>
${tellUs(options.tellUsUrl, easyRead)}
</header>
<main id="main"${easyRead ? trusted(' class="easy-read"') : null}>
${content}
</main>
<footer>
${lastChanged(board, easyRead)}
<p class="status" id="board-status" role="status">${
    easyRead ? 'This board updates by itself.' : `This board updates itself every ${options.refreshSeconds} seconds.`
  }</p>
</footer>
${pictogramTemplate}`;
  return boardDocument(board, body, { css: pageCss, script: boardClientScript }, options);
}

/** A board's document: its title, its assets and what the refresh script reads from <body>. */
export function boardDocument(
  board: Board,
  body: SafeHtml,
  assets: PageAssets,
  options: Pick<BoardPageOptions, 'easyRead' | 'boardUrl' | 'etag' | 'refreshSeconds'>,
  moreData: Record<string, string> = {},
): Document {
  return {
    title: `You said, we did – ${board.unit.name}`,
    assets,
    body,
    bodyData: {
      'board-url': options.boardUrl,
      'easy-read': options.easyRead ? '1' : '0',
      etag: options.etag,
      refresh: String(options.refreshSeconds),
      ...moreData,
    },
  };
}

/** The page for an unknown unit or a board that is off: the same for both. */
export function renderNotFoundPage(what: string): Document {
  return {
    title: 'Page not found',
    assets: { css: pageCss },
    body: html`<header><h1>Page not found</h1></header>
<main id="main"><p>${what}</p><p>Please check the address, or ask a member of staff.</p></main>`,
  };
}
