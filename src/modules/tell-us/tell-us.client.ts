/**
 * The form's own script, served from /tell-us/assets/tell-us.js: it lets the ALTCHA widget solve its
 * proof-of-work in a worker served by this service (the widget's external build brings none), and
 * on a ward tablet (`data-kiosk`) returns to a fresh form after two minutes without a touch. The
 * form works without it.
 */
export const tellUsClientScript = `
const altcha = globalThis.$altcha;
if (altcha && altcha.algorithms) {
  altcha.algorithms.set('PBKDF2/SHA-256', () => new Worker('/tell-us/assets/altcha-pbkdf2.js'));
}
const body = document.body;
if (body.dataset.kiosk === '1') {
  const start = body.dataset.startUrl;
  let timer;
  const restart = () => { clearTimeout(timer); timer = setTimeout(() => { location.replace(start); }, 120000); };
  for (const type of ['pointerdown', 'keydown', 'input', 'scroll']) document.addEventListener(type, restart, { passive: true });
  restart();
}
`.trim();
