import { refreshScript } from './boards.client.js';

/**
 * The wall screen's pager, run inside the board's refresh script (so its variables and draw() are
 * in scope). It measures each card where it will be shown and lays whole cards into screens: as
 * many as fit one under another; a card taller than the room, alone and in smaller type (down to the
 * floor readable across a room, then with its answer under its summaries for the full width, and as
 * a last resort with the room of the figures and QR code, for that one screen, rather than cut). One screen shows at a time, turning every
 * `data-rotate` seconds. News from the refresh waits for the next turn, so nothing changes under
 * someone's eyes. Keyboard focus anywhere on the page stops the turning until it leaves; with the
 * entries focused, the arrow keys turn by hand. Motion is CSS only, and only when the person has
 * not asked for reduced motion.
 */
const pager = `
var root = document.documentElement;
var main = document.getElementById('main');
var indicator = document.getElementById('screen-page');
var rotateMs = Math.max(2, Number(body.getAttribute('data-rotate')) || 20) * 1000;
var smaller = ['fit-1', 'fit-2', 'fit-3'];
var screens = [];
var current = 0;
var pending = null;
var timer = 0;
var paused = false;
if (list && main && indicator) {
  root.classList.add('paged');
  receive = function (board) { pending = board; };
  paginate();
  show(0);
  arm();
  main.addEventListener('keydown', function (event) {
    if (screens.length < 2) return;
    var step = event.key === 'ArrowRight' || event.key === 'ArrowDown' || event.key === 'PageDown' ? 1
      : event.key === 'ArrowLeft' || event.key === 'ArrowUp' || event.key === 'PageUp' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    show((current + step + screens.length) % screens.length);
  });
  document.addEventListener('focusin', function () { paused = true; window.clearTimeout(timer); indicate(); });
  document.addEventListener('focusout', function (event) {
    if (event.relatedTarget) return;
    paused = false;
    indicate();
    arm();
  });
  var resizing = 0;
  window.addEventListener('resize', function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () { paginate(); show(Math.min(current, Math.max(0, screens.length - 1))); }, 250);
  });
}
function heightOf(node) { return node.getBoundingClientRect().height; }
/** Steps the card's type down until it fits the room or reaches the last step; answers its height. */
function shrink(node, room) {
  node.classList.remove.apply(node.classList, smaller);
  var height = heightOf(node);
  for (var step = 0; step < smaller.length && height > room; step++) {
    if (step > 0) node.classList.remove(smaller[step - 1]);
    node.classList.add(smaller[step]);
    height = heightOf(node);
  }
  return height;
}
function paginate() {
  root.classList.remove('roomy');
  var cards = Array.prototype.slice.call(list.children);
  cards.forEach(function (node) { node.hidden = false; node.classList.remove.apply(node.classList, smaller); });
  var room = list.clientHeight + 0.5;
  var gap = parseFloat(getComputedStyle(list).rowGap) || 0;
  var page = [];
  var used = 0;
  screens = [];
  cards.forEach(function (node) {
    var height = heightOf(node);
    if (height > room) {
      var lone = [node];
      if (shrink(node, room) > room) {
        root.classList.add('roomy');
        lone.roomy = true;
        shrink(node, list.clientHeight + 0.5);
      }
      if (page.length) screens.push(page);
      screens.push(lone);
      root.classList.remove('roomy');
      page = [];
      used = 0;
      return;
    }
    if (page.length && used + gap + height > room) { screens.push(page); page = []; used = 0; }
    used += (page.length ? gap : 0) + height;
    page.push(node);
  });
  if (page.length) screens.push(page);
}
function indicate() {
  var text = screens.length > 1 ? (current + 1) + ' of ' + screens.length : '';
  if (text && paused) text += ' · ' + (easy ? 'Stopped' : 'Paused');
  indicator.textContent = text;
  indicator.hidden = !text;
}
function show(index) {
  current = index;
  var shown = screens[index] || [];
  root.classList.toggle('roomy', Boolean(shown.roomy));
  Array.prototype.forEach.call(list.children, function (node) { node.hidden = shown.indexOf(node) < 0; });
  indicate();
}
function turn() {
  if (pending) {
    draw(pending);
    pending = null;
    paginate();
    show(0);
  } else if (screens.length > 1) show((current + 1) % screens.length);
  arm();
}
function arm() {
  window.clearTimeout(timer);
  if (!paused) timer = window.setTimeout(turn, rotateMs);
}
`;

/** The wall screen's script: the board's refresh with the pager above. */
export const screenClientScript = refreshScript(pager);
