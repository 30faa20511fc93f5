import { boardWords, panelWords } from './boards.words.js';

/**
 * The refresh script of the board page and of the wall screen, inline and allowed by its hash in
 * the CSP. It polls the JSON board with If-None-Match every 30 seconds, builds every node with
 * textContent (never innerHTML), and after a network error keeps what is on screen and tries again
 * later, waiting longer each time (and as long as Retry-After asks). It redraws the entries, the
 * figures, the panel's recommendations and "Last changed" (`changedAt`). New content goes to
 * `receive(board)`: the board page draws it at once; `extra` (the wall screen's pager) may set
 * `receive` to hold it back, and runs before polling starts.
 */
export const refreshScript = (extra: string) => `(function () {
'use strict';
var WORDS = ${JSON.stringify(boardWords)};
var PANEL_WORDS = ${JSON.stringify(panelWords)};
var body = document.body;
var url = body.getAttribute('data-board-url');
var easy = body.getAttribute('data-easy-read') === '1';
var etag = body.getAttribute('data-etag') || '';
var words = easy ? WORDS.easyRead : WORDS.standard;
var panelWords = easy ? PANEL_WORDS.easyRead : PANEL_WORDS.standard;
// How many "You said" summaries a card lists before "N other people said something like this".
var shownSaid = easy ? 1 : Number(body.getAttribute('data-said-shown')) || 20;
var list = document.getElementById('entries');
var empty = document.getElementById('empty');
var status = document.getElementById('board-status');
var changed = document.getElementById('board-changed');
var pictograms = document.getElementById('pictograms');
// The board page has a section of its own for the panel; the wall screen turns its entries with the others.
var panelSection = document.getElementById('panel-section');
var panelList = document.getElementById('panel-entries');
var panelInEntries = body.getAttribute('data-panel') === 'entries';
var normalDelay = Math.max(5, Number(body.getAttribute('data-refresh')) || 30) * 1000;
var delay = normalDelay;
var receive = draw;
${extra}
if (!url || !list || !window.fetch) return;

function fmt(value, monthOnly) {
  var dateOnly = /^\\d{4}-\\d{2}-\\d{2}$/.test(value);
  var time = Date.parse(dateOnly ? value + 'T00:00:00Z' : value);
  if (isNaN(time)) return value;
  var options = monthOnly ? { month: 'long', year: 'numeric' } : { day: 'numeric', month: 'long', year: 'numeric' };
  options.timeZone = dateOnly ? 'UTC' : 'Europe/London';
  try { return new Intl.DateTimeFormat('en-GB', options).format(new Date(time)); }
  catch (e) { return new Date(time).toDateString(); }
}
function fmtTime(value) {
  var time = Date.parse(value);
  if (isNaN(time)) return value;
  try { return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' }).format(new Date(time)); }
  catch (e) { return new Date(time).toString(); }
}
function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
function label(type, text) {
  var heading = el('h3', 'label');
  if (easy && pictograms && pictograms.content) {
    var picture = pictograms.content.querySelector('[data-type="' + type + '"]');
    if (picture && picture.firstElementChild) heading.appendChild(picture.firstElementChild.cloneNode(true));
  }
  heading.appendChild(el('span', '', text));
  return heading;
}
function card(entry) {
  var item = el('li', 'card ' + entry.type);
  if (entry.youSaid.length > 0) {
    var said = el('div', 'said');
    said.appendChild(label('you_said', words.youSaid));
    var shown = entry.youSaid.slice(0, shownSaid);
    if (shown.length === 1) said.appendChild(el('p', '', shown[0]));
    else {
      var ul = el('ul');
      shown.forEach(function (text) { ul.appendChild(el('li', '', text)); });
      said.appendChild(ul);
    }
    var others = entry.youSaid.length - shown.length;
    if (others > 0) said.appendChild(el('p', 'more', others === 1 ? words.moreOne : words.moreMany.replace('{n}', String(others))));
    item.appendChild(said);
  }
  var answer = el('div', 'answer');
  answer.appendChild(label(entry.type, words.labels[entry.type]));
  var showTitle = entry.title && entry.title !== entry.response && !(easy && entry.type === 'we_did');
  if (showTitle) answer.appendChild(el('p', 'title', entry.title));
  answer.appendChild(el('p', '', entry.response));
  var planned = entry.type === 'we_are_doing' && /^\\d{4}-\\d{2}-\\d{2}$/.test(entry.date);
  var dateWords = words.dates[planned ? 'we_are_doing_planned' : entry.type];
  answer.appendChild(el('p', 'date', dateWords + ' ' + fmt(entry.date, easy)));
  item.appendChild(answer);
  return item;
}
var panelTypes = { done: 'we_did', accepted: 'we_are_doing', declined: 'we_couldnt' };
function panelCard(entry) {
  var type = panelTypes[entry.status];
  var item = el('li', 'card panel-entry ' + type);
  var said = el('div', 'said');
  var heading = el('h3', 'label');
  heading.appendChild(el('span', '', panelWords.recommended));
  said.appendChild(heading);
  said.appendChild(el('p', '', entry.recommended));
  item.appendChild(said);
  var answer = el('div', 'answer');
  answer.appendChild(label(type, words.labels[type]));
  var answers = entry.status === 'declined' ? [entry.response || '']
    : entry.actions.map(function (action) { return action.status === 'completed' ? action.outcome || action.title : action.title; });
  answers.forEach(function (text) { answer.appendChild(el('p', '', text)); });
  answer.appendChild(el('p', 'date', (entry.status === 'done' ? panelWords.doneOn : panelWords.answeredOn) + ' ' + fmt(entry.date, easy)));
  item.appendChild(answer);
  return item;
}
function fftLine(fft) {
  var tenths = Math.floor((20 * fft.positive + fft.responses) / (2 * fft.responses));
  var template = fft.positive === fft.responses ? words.fft.all
    : tenths === 10 ? words.fft.most : tenths === 0 ? words.fft.few : words.fft.share;
  return template.replace('{n}', String(tenths)).replace('{total}', String(fft.responses));
}
function draw(board) {
  var fragment = document.createDocumentFragment();
  board.entries.forEach(function (entry) { fragment.appendChild(card(entry)); });
  var panel = board.panel.filter(function (entry) { return entry.status === 'declined' || entry.actions.length > 0; });
  if (panelInEntries) panel.forEach(function (entry) { fragment.appendChild(panelCard(entry)); });
  while (list.firstChild) list.removeChild(list.firstChild);
  list.appendChild(fragment);
  if (empty) empty.hidden = board.entries.length + (panelInEntries ? panel.length : 0) > 0;
  if (panelList) {
    while (panelList.firstChild) panelList.removeChild(panelList.firstChild);
    panel.forEach(function (entry) { panelList.appendChild(panelCard(entry)); });
    if (panelSection) panelSection.hidden = panel.length === 0;
  }
  ['received', 'closed', 'actioned', 'notActioned'].forEach(function (name) {
    var figure = document.getElementById('stat-' + name);
    if (figure) figure.textContent = String(board.stats[name]);
  });
  var fft = document.getElementById('stat-fft');
  if (fft) {
    fft.hidden = !board.stats.fft;
    fft.textContent = board.stats.fft ? fftLine(board.stats.fft) : '';
  }
  if (changed) {
    changed.setAttribute('datetime', board.changedAt);
    changed.textContent = fmtTime(board.changedAt);
  }
}
function say(text, offline) {
  if (!status) return;
  if (status.textContent !== text) status.textContent = text;
  status.className = offline ? 'status offline' : 'status';
}
function clock() {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' }).format(new Date());
}
function schedule() { window.setTimeout(poll, delay); }
function poll() {
  var headers = { Accept: 'application/json' };
  if (etag) headers['If-None-Match'] = etag;
  fetch(url, { headers: headers, cache: 'no-store', credentials: 'omit' })
    .then(function (response) {
      if (response.status === 304) { delay = normalDelay; say(status ? status.getAttribute('data-ok') || '' : '', false); return; }
      if (!response.ok) {
        var retry = Number(response.headers.get('Retry-After'));
        var error = new Error('HTTP ' + response.status);
        error.retry = retry > 0 ? retry * 1000 : 0;
        throw error;
      }
      return response.json().then(function (board) {
        etag = response.headers.get('ETag') || '';
        receive(board);
        delay = normalDelay;
        var text = (easy ? 'Updated at ' : 'Last updated at ') + clock();
        if (status) status.setAttribute('data-ok', text);
        say(text, false);
      });
    })
    .catch(function (error) {
      delay = Math.max(error && error.retry ? error.retry : 0, Math.min(delay * 2, 300000));
      say('Could not check for news. Showing the last board. Trying again soon.', true);
    })
    .then(schedule);
}
schedule();
})();`;

/** The board page's script: news is drawn as soon as it arrives. */
export const boardClientScript = refreshScript('');
