import t from 'tap';
import { boardCacheFor } from '../../src/modules/boards/boards.cache.js';
import { boardCacheLimits } from '../../src/modules/boards/boards.http.js';
import { buildTestApp, createTree } from '../helpers/app.js';
import { loop } from '../helpers/fixtures.js';
import { seed } from '../helpers/seed.js';

t.test('the wall board page: escaped words, strict CSP, Easy Read, caching, 404 page', async (t) => {
  const api = await buildTestApp(t);
  const { ward } = await createTree(api);
  await seed(api.app.db, {
    items: [
      { unitId: ward.id, youSaid: '<script>alert(1)</script> & "quotes"', publishConsent: true },
      { unitId: ward.id, youSaid: 'Too noisy at night', publishConsent: true },
    ],
    actions: [
      {
        unitId: ward.id,
        title: 'Quiet hours <b>after 10pm</b>',
        status: 'completed',
        outcome: 'Lights dim at 10pm & staff keep voices low',
        items: [0, 1],
      },
    ],
  });

  const page = await api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html; charset=utf-8/);
  t.match(page.body, /<html lang="en-GB">/);
  t.match(page.body, /<h1>You said, we did<\/h1>/);
  t.match(page.body, /Willow Ward/);
  t.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quotes&quot;/, 'user words are escaped');
  t.notMatch(page.body, /<script>alert/, 'never as markup');
  t.match(page.body, /Quiet hours &lt;b&gt;after 10pm&lt;\/b&gt;/);
  t.match(page.body, /We did/);
  t.match(page.body, /You said/);

  const csp = page.headers['content-security-policy'] as string;
  t.match(csp, /default-src 'none'/);
  t.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
  t.match(csp, /style-src 'sha256-[A-Za-z0-9+/=]+'/);
  t.match(csp, /connect-src 'self'/);
  t.match(csp, /frame-ancestors 'none'/);
  t.match(csp, /base-uri 'none'/);
  t.notMatch(csp, /unsafe-inline|unsafe-eval|https?:/, 'no unsafe sources and nothing from elsewhere');
  t.notMatch(page.body, /(src|href)="(https?:)?\/\//, 'no external assets');
  t.match(page.headers['cache-control'], /public, max-age=5/);
  t.match(page.body, /<style>/);
  t.match(page.body, /@media print/);
  t.match(page.body, /prefers-reduced-motion/);

  const etag = page.headers.etag as string;
  const again = await api.request({
    method: 'GET',
    url: `/boards/${ward.code}`,
    key: null,
    headers: { 'if-none-match': etag },
  });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');

  const easy = await api.request({ method: 'GET', url: `/boards/${ward.code}?easyRead=1`, key: null });
  t.equal(easy.statusCode, 200);
  t.not(easy.headers.etag, etag, 'the Easy Read page is another representation');
  t.match(easy.body, /<span>We did this<\/span>/);
  t.match(easy.body, /<svg class="pictogram" viewBox="0 0 48 48" aria-hidden="true"/);
  t.match(easy.body, /1 other person said something like this/, 'one idea per card: the first summary, and a count');

  await api.request({ method: 'PATCH', url: `/v1/units/${ward.id}`, payload: { boardEasyRead: true } });
  const byDefault = await api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
  t.match(byDefault.body, /<span>We did this<\/span>/, 'a unit can make Easy Read its default');
  const standard = await api.request({ method: 'GET', url: `/boards/${ward.code}?easyRead=0`, key: null });
  t.notMatch(standard.body, /<span>We did this<\/span>/);

  await api.request({ method: 'PATCH', url: `/v1/units/${ward.id}`, payload: { boardEnabled: false } });
  const off = await api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
  t.equal(off.statusCode, 404);
  t.match(off.headers['content-type'], /^text\/html/);
  t.match(off.body, /Page not found/);
  const unknown = await api.request({ method: 'GET', url: '/boards/NO-SUCH-WARD', key: null });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.body, off.body, 'unknown and switched off look the same');
  const odd = await api.request({ method: 'GET', url: '/boards/%3Cscript%3E', key: null });
  t.equal(odd.statusCode, 404);
  t.notMatch(odd.body, /<script>/);
});

t.test('“Last changed” is when the board changed: an action moves it, a rebuild does not', async (t) => {
  const api = await buildTestApp(t);
  const { site, ward } = await createTree(api);
  const l = loop(api);
  const cache = boardCacheFor(api.app.db, boardCacheLimits(api.app.config));
  const board = async (unitId = ward.id, query = '') =>
    (await api.request({ method: 'GET', url: `/v1/units/${unitId}/board${query}`, key: null })).json();
  const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

  const action = await l.action({ unitId: ward.id, title: 'A clock for the lounge' });
  const first = await board();
  t.match(first.changedAt, /^\d{4}-\d{2}-\d{2}T/);
  t.equal(
    (await board(site.id, '?includeDescendants=true')).changedAt,
    first.changedAt,
    'a site’s board changed when a ward below it did',
  );

  await pause();
  cache.clear();
  const rebuilt = await board();
  t.not(rebuilt.generatedAt, first.generatedAt, 'the board was built again');
  t.equal(rebuilt.changedAt, first.changedAt, 'but it did not change');

  await pause();
  t.equal((await l.complete(action.id, 'A big clock is up')).statusCode, 200);
  const changed = await board();
  t.ok(Date.parse(changed.changedAt) > Date.parse(first.changedAt), 'completing the action moved it');

  for (const query of ['', '?mode=screen', '?mode=screen&easyRead=1']) {
    const page = await api.request({ method: 'GET', url: `/boards/${ward.code}${query}`, key: null });
    t.match(page.body, new RegExp(`changed <time id="board-changed" datetime="${changed.changedAt}">`, 'i'), query);
    t.notMatch(page.body, new RegExp(changed.generatedAt), `${query || 'the page'} never shows generatedAt`);
  }
});
