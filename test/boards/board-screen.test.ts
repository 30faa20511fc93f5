import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import t from 'tap';
import { touchBoards } from '../../src/modules/units/units.board-version.js';
import { buildTestApp, createTree, type TestApp, testConfig } from '../helpers/app.js';
import {
  artifacts,
  checkWithAxe,
  chromiumPath as executablePath,
  hasChromium,
  launchChromium,
  newPage,
} from '../helpers/browser.js';
import { seed } from '../helpers/seed.js';

const publicBaseUrl = 'https://feedback.willow-trust.example';
// jsqr is CommonJS with a default export its types give to ESM only.
// Seven screen sizes and forms, each read screen by screen, then turning and refreshing for real.
t.setTimeout(300_000);
const jsQR = createRequire(import.meta.url)('jsqr') as typeof import('jsqr').default;

const flaggedWords = 'SAFEGUARDING-FLAGGED-WORDS';
// Close to the 2,000 characters an outcome may have: the longest entry a screen must show whole.
const longOutcome = Array.from(
  { length: 13 },
  (_, n) =>
    `Step ${n + 1}: the ward's community meeting chose the next change to the garden, and staff made it happen within the week, with people who use the ward.`,
).join(' ');

/**
 * Seven entries (one long enough to need a screen of its own), one answering five comments, one
 * flagged comment, and a recommendation of the lived-experience panel that staff declined.
 */
async function seedBoard(api: TestApp, unitId: string) {
  const db = api.app.db;
  const hour = 3_600_000;
  const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * hour);
  const { items } = await seed(db, {
    items: [
      { unitId, youSaid: 'The garden is locked at weekends', publishConsent: true },
      { unitId, youSaid: 'We want to go outside more', publishConsent: true },
      { unitId, youSaid: 'Please open the garden earlier', publishConsent: true },
      { unitId, youSaid: 'Fresh air helps me sleep', publishConsent: true },
      { unitId, youSaid: 'Can we grow vegetables?', publishConsent: true },
      { unitId, youSaid: 'More films please', publishConsent: true },
      { unitId, youSaid: 'Open the kitchen at night', publishConsent: true },
      { unitId, youSaid: 'Thank you to the night team', publishConsent: true },
      { unitId, youSaid: 'The lounge chairs are uncomfortable', publishConsent: true },
      { unitId, youSaid: flaggedWords, publishConsent: true },
      { unitId, youSaid: 'We never know who our named nurse is', publishConsent: true },
    ],
    actions: [
      {
        unitId,
        title: 'Garden open at weekends',
        status: 'completed',
        outcome: 'The garden is now open from 9am to 5pm every day, with staff nearby.',
        items: [0, 1, 2, 3, 4],
        at: at(1),
      },
      {
        unitId,
        title: 'Sunday film club',
        description: 'A film every Sunday afternoon, chosen by patients at the community meeting.',
        status: 'in_progress',
        plannedFor: '2030-01-15',
        items: [5],
        at: at(2),
      },
      {
        unitId,
        title: 'Thanks passed on',
        status: 'completed',
        outcome: 'We passed your thanks to the night team.',
        items: [7],
        at: at(3),
      },
      { unitId, title: 'The garden, step by step', status: 'completed', outcome: longOutcome, items: [9], at: at(4) },
      {
        unitId,
        title: 'New lounge chairs',
        status: 'completed',
        outcome: 'Twelve new chairs with arms arrived in the lounge in November.',
        items: [8],
        at: at(5),
      },
    ],
    decisions: [
      {
        item: 6,
        explanation: 'The kitchen has to be locked at night for safety. Hot drinks are on request.',
        at: at(6),
      },
      { item: 10, explanation: 'Named nurses change with shifts; the board by the door now shows them.', at: at(7) },
    ],
  });
  // The safeguarding screen flagged the comment the long action answers: it must stay off the screen.
  await db.execute(
    sql`update feedback_items set safeguarding = 'flagged', safeguarding_reason = 'staff' where id = ${items[9]?.id}`,
  );
  await db.transaction((tx) => touchBoards(tx, [unitId]));
  const made = await api.request({
    method: 'POST',
    url: '/v1/recommendations',
    payload: { unitId, title: 'Visiting on Sunday mornings', text: 'From the panel’s March meeting' },
  });
  const declined = await api.request({
    method: 'POST',
    url: `/v1/recommendations/${made.json().id}/decline`,
    payload: { response: 'Sunday mornings are the ward round; visiting starts at noon.' },
  });
  if (declined.statusCode !== 200) throw new Error(`decline: ${declined.statusCode} ${declined.body}`);
}

t.test('the wall screen page: options, 400 for a bad rotate, same CSP and privacy as the board', async (t) => {
  const api = await buildTestApp(t, { config: testConfig({ PUBLIC_BASE_URL: publicBaseUrl }) });
  const { ward } = await createTree(api);
  await seedBoard(api, ward.id);

  const screen = await api.request({ method: 'GET', url: `/boards/${ward.code}?mode=screen`, key: null });
  t.equal(screen.statusCode, 200);
  t.match(screen.body, /<div class="screen">/);
  t.match(screen.body, /data-rotate="20"/, 'turns every 20 seconds by default');
  t.match(screen.body, /Tell us what you think/);
  t.match(screen.body, /feedback\.willow-trust\.example\/tell-us\/T-WILLOW/);
  t.match(screen.body, /<svg class="qr"/);
  t.match(screen.body, /2 other people said something like this/, 'three summaries, and a count of the rest');
  t.notMatch(screen.body, new RegExp(flaggedWords), 'a flagged comment stays off the screen');
  t.match(screen.body, /The garden, step by step/, 'its action still shows, without the comment');
  t.match(
    screen.body,
    /Our lived experience panel recommended<\/span><\/h3><p>Visiting on Sunday mornings<\/p>.*We couldn’t, because<\/span><\/h3><p>Sunday mornings are the ward round/,
    'the panel’s declined recommendation is an entry, with why',
  );
  const csp = screen.headers['content-security-policy'] as string;
  t.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/, 'one inline script, by hash');
  t.notMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  t.notMatch(screen.body, /(src|href)="(https?:)?\/\//, 'no external assets');
  t.equal(screen.body.match(/<script>/g)?.length, 1);

  const board = await api.request({ method: 'GET', url: `/boards/${ward.code}`, key: null });
  t.not(screen.headers.etag, board.headers.etag, 'the screen is another representation');
  const again = await api.request({
    method: 'GET',
    url: `/boards/${ward.code}?mode=screen`,
    key: null,
    headers: { 'if-none-match': screen.headers.etag as string },
  });
  t.equal(again.statusCode, 304);

  const easy = await api.request({ method: 'GET', url: `/boards/${ward.code}?mode=screen&easyRead=1`, key: null });
  t.match(easy.body, /<span>We did this<\/span>/);
  t.match(easy.body, /4 other people said something like this/, 'Easy Read: one summary, and a count');

  t.match(
    (await api.request({ method: 'GET', url: `/boards/${ward.code}?mode=screen&rotate=45`, key: null })).body,
    /data-rotate="45"/,
  );
  for (const rotate of ['1', '0', '-5', 'abc', '2.5', '3601', '']) {
    const bad = await api.request({
      method: 'GET',
      url: `/boards/${ward.code}?mode=screen&rotate=${rotate}`,
      key: null,
    });
    t.equal(bad.statusCode, 400, `rotate=${rotate} is refused`);
    t.match(bad.headers['content-type'], /^application\/problem\+json/);
    t.match(bad.json(), { status: 400, errors: [{ path: 'rotate' }] }, 'naming the parameter');
  }
});

if (!hasChromium()) {
  if (process.env.CI) t.fail(`${executablePath} is missing: CI must install Debian's chromium`);
  else t.test('the wall screen in Chromium', { skip: `needs Chromium (${executablePath} not found)` }, async () => {});
} else {
  t.test('the wall screen in Chromium: fits, turns, keeps still when asked, refreshes at the turn', async (t) => {
    const api = await buildTestApp(t, { config: testConfig({ PUBLIC_BASE_URL: publicBaseUrl }) });
    const { ward } = await createTree(api);
    await seedBoard(api, ward.id);
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = api.app.server.address() as AddressInfo;
    const origin = `http://127.0.0.1:${port}`;
    const browser = await launchChromium(t);
    const screenUrl = `/boards/${ward.code}?mode=screen`;

    const problems: string[] = [];
    async function open(url: string, options: BrowserContextOptions = {}): Promise<Page> {
      const page = await newPage(browser, problems, { viewport: { width: 1920, height: 1080 }, ...options });
      const response = await page.goto(`${origin}${url}`);
      t.ok(response?.ok(), `${url} loads`);
      return page;
    }
    /** Waits until `expression` holds, asking through DevTools (the page's CSP forbids eval, so no waitForFunction). */
    async function until(page: Page, expression: string, seconds = 30) {
      for (let tries = 0; tries < seconds * 10; tries++) {
        if (await page.evaluate(expression)) return;
        await page.waitForTimeout(100);
      }
      throw new Error(`never true: ${expression}`);
    }
    // Browser-side code as strings: the test's TypeScript has no DOM types.
    const visibleResponses = (page: Page) =>
      page.evaluate(
        "Array.from(document.querySelectorAll('#entries > .card:not([hidden]) .answer > p:not(.date):not(.title)')).map((p) => p.textContent).join(' | ')",
      ) as Promise<string>;
    const indicator = async (page: Page) => (await page.locator('#screen-page').textContent()) ?? '';
    /** What a person at the screen would notice is wrong with the screen now showing, if anything. */
    const misfits = (page: Page) =>
      page.evaluate(`(() => {
        const found = [];
        const root = document.documentElement;
        if (root.scrollHeight > root.clientHeight || root.scrollWidth > root.clientWidth) found.push('the document scrolls');
        const floor = 28 * Math.min(innerWidth, innerHeight) / 1080 - 0.01;
        const list = document.getElementById('entries').getBoundingClientRect();
        const cards = Array.from(document.querySelectorAll('#entries > .card:not([hidden])'));
        if (cards.length === 0) found.push('no entry on screen');
        for (const card of cards) {
          const box = card.getBoundingClientRect();
          const name = card.querySelector('.answer > p:not(.date)').textContent.slice(0, 30);
          if (box.top < list.top - 0.5 || box.bottom > list.bottom + 0.5 || box.bottom > innerHeight || box.right > innerWidth)
            found.push(name + ': not whole inside the screen');
          if (card.scrollHeight > card.clientHeight + 1) found.push(name + ': cut');
          const size = parseFloat(getComputedStyle(card.querySelector('.answer > p:not(.date):not(.title)')).fontSize);
          if (size < floor) found.push(name + ': response text ' + size + 'px, under ' + floor.toFixed(1) + 'px');
        }
        // A screen given over to one very long entry (a small portrait tablet) lends it the figures' and QR code's room.
        const roomy = root.classList.contains('roomy') && cards.length === 1;
        for (const id of roomy ? ['board-changed'] : ['figures-heading', 'tell-us-heading', 'board-changed']) {
          const box = document.getElementById(id).getBoundingClientRect();
          if (box.bottom > innerHeight || box.right > innerWidth || box.height === 0) found.push(id + ' is not on screen');
        }
        return found;
      })()`) as Promise<string[]>;

    const viewports = [
      { name: '1920x1080', width: 1920, height: 1080 },
      { name: '1366x768', width: 1366, height: 768 },
      { name: '1280x720', width: 1280, height: 720 },
      { name: 'portrait-1080x1920', width: 1080, height: 1920 },
      { name: 'portrait-768x1024', width: 768, height: 1024 },
    ];
    const runs = [
      ...viewports.map((viewport) => ({ form: 'screen', query: '', viewport })),
      // Easy Read on the two shapes; the others scale the same layout.
      ...viewports
        .filter((viewport) => viewport.width === 1920 || viewport.width === 1080)
        .map((viewport) => ({ form: 'screen-easy-read', query: '&easyRead=1', viewport })),
    ];
    for (const { form, query, viewport } of runs) {
      {
        const name = `${form}-${viewport.name}`;
        const page = await open(`${screenUrl}&rotate=600${query}`, {
          viewport: { width: viewport.width, height: viewport.height },
          reducedMotion: 'reduce',
        });
        const count = Number((await indicator(page)).match(/of (\d+)/)?.[1] ?? 1);
        t.ok(count >= 2, `${name}: the entries take ${count} screens`);
        // Every screen in turn, by keyboard (focus on the entries pauses the turning; arrows turn by hand).
        await page.locator('#main').focus();
        const seen = new Set<string>();
        for (let screen = 1; screen <= count; screen++) {
          t.match(await indicator(page), new RegExp(`^${screen} of ${count}`), `${name}: screen ${screen} of ${count}`);
          t.same(await misfits(page), [], `${name}, screen ${screen}: whole entries, readable, nothing scrolls`);
          for (const text of (await visibleResponses(page)).split(' | ')) seen.add(text);
          await page.screenshot({ path: `${artifacts}/${name}-${screen}.png` });
          await page.keyboard.press('ArrowRight');
        }
        t.equal(seen.size, 8, `${name}: every entry of the board, and the panel’s, is shown in turn`);
        await page.evaluate('document.activeElement.blur()');
        if (query === '' || viewport.width === 1920) {
          const qr = PNG.sync.read(await page.locator('svg.qr').screenshot());
          t.equal(
            jsQR(new Uint8ClampedArray(qr.data), qr.width, qr.height)?.data,
            `${publicBaseUrl}/tell-us/${ward.code}`,
            `${name}: the QR code reads back as the form`,
          );
        }
        await checkWithAxe(t, page, name);
        await page.context().close();
      }
    }

    // Turning by itself: a different entry after the interval, with a gentle fade unless reduced motion is asked for.
    const turning = await open(`${screenUrl}&rotate=2`, { reducedMotion: 'no-preference' });
    const first = await visibleResponses(turning);
    t.match(await indicator(turning), /^1 of \d+$/);
    await until(turning, "document.getElementById('screen-page').textContent.startsWith('2 of')", 5);
    t.not(await visibleResponses(turning), first, 'a different entry is on screen after 2 seconds');
    t.ok(
      ((await turning.evaluate('document.getAnimations().length')) as number) > 0,
      'the new screen fades in when motion is welcome',
    );
    await turning.context().close();

    const still = await open(`${screenUrl}&rotate=2`, { reducedMotion: 'reduce' });
    const before = await visibleResponses(still);
    await until(still, "document.getElementById('screen-page').textContent.startsWith('2 of')", 5);
    t.not(await visibleResponses(still), before, 'it still turns under reduced motion');
    t.equal(
      await still.evaluate(
        "document.getAnimations().length + Array.from(document.querySelectorAll('*')).filter((node) => parseFloat(getComputedStyle(node).transitionDuration) > 0).length",
      ),
      0,
      'but with no animations or transitions at all',
    );

    // Keyboard focus pauses the turning, and it starts again when focus leaves.
    await still.keyboard.press('Tab');
    t.match(await indicator(still), /Paused$/, 'the indicator says it is paused');
    const paused = await indicator(still);
    await still.waitForTimeout(3_000);
    t.equal(await indicator(still), paused, 'no turn while something has the focus');
    await still.evaluate('document.activeElement.blur()');
    await until(still, `document.getElementById('screen-page').textContent !== ${JSON.stringify(paused)}`, 5);
    t.notMatch(await indicator(still), /Paused/, 'and it turns again once the focus leaves');
    await still.context().close();

    // New content arrives with the refresh, but shows only at the next turn, from the first screen.
    const refreshing = await open(`${screenUrl}&rotate=14&refresh=5`, { reducedMotion: 'reduce' });
    await refreshing.evaluate(`(() => {
      window.__shifts = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shifts += entry.value;
      }).observe({ type: 'layout-shift', buffered: true });
    })()`);
    await seed(api.app.db, {
      items: [{ unitId: ward.id, youSaid: 'The lounge needs a clock', publishConsent: true }],
      actions: [
        {
          unitId: ward.id,
          title: 'A clock for the lounge',
          status: 'completed',
          outcome: 'A big clock is up.',
          items: [0],
        },
      ],
    });
    await until(refreshing, "document.getElementById('board-status').textContent.startsWith('Last updated')", 15);
    t.equal(await refreshing.locator('text=A big clock is up.').count(), 0, 'the news waits: nothing changes mid-read');
    await refreshing.waitForSelector('text=A big clock is up.', { timeout: 15_000 });
    t.match(await visibleResponses(refreshing), /A big clock is up\./, 'and shows at the next turn, on screen');
    t.match(await indicator(refreshing), /^1 of/, 'from the first screen');
    t.same(await misfits(refreshing), [], 'still whole and readable');
    const { changedAt } = (
      await api.request({ method: 'GET', url: `/v1/units/${ward.id}/board`, key: null })
    ).json() as { changedAt: string };
    t.equal(
      await refreshing.locator('#board-changed').getAttribute('datetime'),
      changedAt,
      '“Last changed” is when the board changed',
    );

    // A network blip: the screen keeps its entries, says so, and carries on.
    await refreshing.route('**/v1/units/**', (route) => route.abort());
    await refreshing.waitForSelector('#board-status.offline', { timeout: 15_000 });
    t.ok(await refreshing.locator('#entries > .card:not([hidden])').count(), 'the last board stays on screen');
    await refreshing.unroute('**/v1/units/**');
    await refreshing.waitForSelector('#board-status:not(.offline)', { timeout: 40_000 });
    t.same(await misfits(refreshing), [], 'the notice moved nothing off the screen');
    const shifts = (await refreshing.evaluate('window.__shifts')) as number;
    t.ok(shifts < 0.1, `cumulative layout shift ${shifts.toFixed(4)} is under 0.1 through turns, a refresh and a blip`);
    await checkWithAxe(t, refreshing, 'screen-after-refresh');
    await refreshing.context().close();

    // Without JavaScript: the same content as a readable page.
    const plain = await open(`${screenUrl}`, { javaScriptEnabled: false });
    t.equal(await plain.locator('#entries > .card:visible').count(), 9, 'every entry is there to read');
    t.ok(
      await plain.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth'),
      'and nothing to scroll sideways',
    );
    // axe needs scripts, which this context has none of.
    await plain.screenshot({ path: `${artifacts}/screen-without-javascript.png`, fullPage: true });
    await plain.context().close();

    t.same(
      // The aborted requests of the simulated network blip are expected.
      problems.filter((problem) => !problem.includes('net::ERR_FAILED')),
      [],
      'no script errors and no CSP violations in the console',
    );
  });
}
