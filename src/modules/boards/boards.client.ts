import { boardWords } from './boards.words.js';

/**
 * The board page's refresh script, inline and allowed by its hash in the CSP. It polls the JSON
 * board with If-None-Match every 30 seconds, redraws only when the content changed, builds every
 * node with textContent (never innerHTML), and after a network error keeps what is on screen and
 * tries again later, waiting longer each time (and as long as Retry-After asks).
 */
export const boardClientScript = `(function () {
'use strict';
var WORDS = ${JSON.stringify(boardWords)};
var body = document.body;
var url = body.getAttribute('data-board-url');
var easy = body.getAttribute('data-easy-read') === '1';
var etag = body.getAttribute('data-etag') || '';
var words = easy ? WORDS.easyRead : WORDS.standard;
var list = document.getElementById('entries');
var empty = document.getElementById('empty');
var status = document.getElementById('board-status');
var pictograms = document.getElementById('pictograms');
var normalDelay = Math.max(5, Number(body.getAttribute('data-refresh')) || 30) * 1000;
var delay = normalDelay;
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
    if (easy || entry.youSaid.length === 1) {
      said.appendChild(el('p', '', entry.youSaid[0]));
      if (easy && entry.youSaid.length > 1) said.appendChild(el('p', '', entry.youSaid.length === 2 ? words.moreOne : words.moreMany.replace('{n}', String(entry.youSaid.length - 1))));
    } else {
      var ul = el('ul');
      entry.youSaid.forEach(function (text) { ul.appendChild(el('li', '', text)); });
      said.appendChild(ul);
    }
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
function fftLine(fft) {
  var tenths = Math.floor((20 * fft.positive + fft.responses) / (2 * fft.responses));
  var template = fft.positive === fft.responses ? words.fft.all
    : tenths === 10 ? words.fft.most : tenths === 0 ? words.fft.few : words.fft.share;
  return template.replace('{n}', String(tenths)).replace('{total}', String(fft.responses));
}
function draw(board) {
  var fragment = document.createDocumentFragment();
  board.entries.forEach(function (entry) { fragment.appendChild(card(entry)); });
  while (list.firstChild) list.removeChild(list.firstChild);
  list.appendChild(fragment);
  if (empty) empty.hidden = board.entries.length > 0;
  ['received', 'closed', 'actioned', 'notActioned'].forEach(function (name) {
    var figure = document.getElementById('stat-' + name);
    if (figure) figure.textContent = String(board.stats[name]);
  });
  var fft = document.getElementById('stat-fft');
  if (fft) {
    fft.hidden = !board.stats.fft;
    fft.textContent = board.stats.fft ? fftLine(board.stats.fft) : '';
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
        draw(board);
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
