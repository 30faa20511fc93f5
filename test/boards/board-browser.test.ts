import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import {
  artifacts,
  checkWithAxe,
  chromiumPath as executablePath,
  hasChromium,
  launchChromium,
  newPage,
} from '../helpers/browser.js';
import { recordFeedback } from '../helpers/fixtures.js';
import { seed } from '../helpers/seed.js';

if (!hasChromium()) {
  if (process.env.CI) {
    t.fail(`${executablePath} is missing: CI must install Debian's chromium to run the board accessibility test`);
  } else {
    t.test(
      'the board accessibility test in Chromium',
      { skip: `needs Chromium: apt-get install -y chromium (${executablePath} not found)` },
      async () => {},
    );
  }
} else {
  t.test('the board and tracking pages pass axe-core WCAG 2.2 AA in real Chromium', async (t) => {
    const api = await buildTestApp(t);
    const { ward } = await createTree(api);
    const hourAgo = new Date(Date.now() - 3_600_000);
    const { items } = await seed(api.app.db, {
      items: [
        { unitId: ward.id, youSaid: 'The garden is locked at weekends', publishConsent: true },
        { unitId: ward.id, youSaid: 'We want to go outside more', publishConsent: true },
        { unitId: ward.id, youSaid: 'More films please', publishConsent: true },
        { unitId: ward.id, youSaid: 'Open the kitchen at night <script>alert(1)</script>', publishConsent: true },
        { unitId: ward.id, youSaid: 'Thank you to the night team', publishConsent: true },
      ],
      actions: [
        {
          unitId: ward.id,
          title: 'Garden open at weekends',
          status: 'completed',
          outcome: 'The garden is now open from 9am to 5pm every day, with staff nearby.',
          items: [0, 1],
          at: hourAgo,
        },
        {
          unitId: ward.id,
          title: 'Sunday film club',
          description: 'A film every Sunday afternoon, chosen by patients at the community meeting.',
          status: 'in_progress',
          plannedFor: '2030-01-15',
          items: [2],
          at: hourAgo,
        },
        {
          unitId: ward.id,
          title: 'Thanks passed on',
          status: 'completed',
          outcome: 'We passed your thanks to the night team.',
          items: [4],
        },
      ],
      decisions: [
        { item: 3, explanation: 'The kitchen has to be locked at night for safety. Hot drinks are on request.' },
      ],
    });

    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = api.app.server.address() as AddressInfo;
    const origin = `http://127.0.0.1:${port}`;
    const browser = await launchChromium(t);

    const problems: string[] = [];
    async function open(url: string, options: { width?: number; reducedMotion?: boolean } = {}): Promise<Page> {
      const page = await newPage(browser, problems, {
        viewport: { width: options.width ?? 1280, height: 800 },
        reducedMotion: options.reducedMotion ? 'reduce' : 'no-preference',
      });
      const response = await page.goto(`${origin}${url}`);
      t.ok(response?.ok(), `${url} loads`);
      return page;
    }
    const axe = (page: Page, name: string) => checkWithAxe(t, page, name);

    const board = await open(`/boards/${ward.code}?refresh=5`);
    await axe(board, 'board');
    t.equal(await board.locator('.card').count(), 4, 'four cards');
    t.match(
      await board.locator('.card.we_couldnt').textContent(),
      /<script>alert\(1\)<\/script>/,
      'user words show as text',
    );
    t.equal(await board.evaluate("document.querySelectorAll('body script').length"), 1, 'no injected script');

    await axe(await open(`/boards/${ward.code}?easyRead=1`), 'board-easy-read');
    const published = items[0];
    if (!published) throw new Error('seed failed');
    await axe(await open(`/track/${published.reference}`), 'track');
    await axe(await open('/track'), 'track-form');

    // 400% zoom of a 1280 px screen is 320 CSS pixels wide: everything reflows into one column.
    const narrow = await open(`/boards/${ward.code}`, { width: 320, reducedMotion: true });
    t.ok(
      await narrow.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth'),
      'no sideways scrolling at 320 CSS pixels',
    );
    t.equal(
      await narrow.evaluate("getComputedStyle(document.querySelector('.card')).transitionDuration"),
      '0s',
      'no motion when the person asks for reduced motion',
    );
    await narrow.screenshot({ path: `${artifacts}/board-320px.png`, fullPage: true });

    // The printed poster: no refresh notice, white paper.
    await board.emulateMedia({ media: 'print' });
    t.equal(await board.evaluate("getComputedStyle(document.getElementById('board-status')).display"), 'none');
    t.equal(
      await board.evaluate('getComputedStyle(document.body).backgroundColor'),
      'rgb(255, 255, 255)',
      'no dark background on paper',
    );
    await board.pdf({ path: `${artifacts}/board-poster.pdf`, format: 'A4' });
    await board.emulateMedia({ media: 'screen' });

    // A network blip: the board keeps its content, says so, and recovers with the news.
    await board.route('**/v1/units/**', (route) => route.abort());
    await board.waitForSelector('#board-status.offline', { timeout: 15_000 });
    t.equal(await board.locator('.card').count(), 4, 'the last board stays on screen');
    await board.unroute('**/v1/units/**');
    await seed(api.app.db, {
      actions: [{ unitId: ward.id, title: 'New chairs for the lounge', status: 'planned' }],
    });
    await board.waitForSelector('text=New chairs for the lounge', { timeout: 30_000 });
    t.equal(await board.locator('.card').count(), 5, 'the new entry appears without a reload');
    t.notOk(await board.locator('#board-status.offline').count(), 'and the notice goes');
    await axe(board, 'board-after-refresh');

    // Eight Friends and Family Test answers, 7 of them good or very good (8.75 in 10 → 9): the share appears without a reload.
    t.ok(await board.locator('#stat-fft[hidden]').count(), 'no FFT line before anyone answered');
    for (const fftRating of ['very_good', 'very_good', 'good', 'good', 'good', 'very_good', 'good', 'poor']) {
      await recordFeedback(api, ward.id, { fftRating });
    }
    await board.waitForSelector('#stat-fft:not([hidden])', { timeout: 30_000 });
    t.equal(
      await board.locator('#stat-fft').textContent(),
      '9 in 10 people said their experience was good or very good. 8 people answered the Friends and Family Test.',
    );
    await axe(board, 'board-with-fft');

    // The panel's section appears with its first answered recommendation, without a reload.
    t.ok(await board.locator('#panel-section[hidden]').count(), 'no panel section before there is an answer');
    const made = await api.request({
      method: 'POST',
      url: '/v1/recommendations',
      payload: { unitId: ward.id, title: 'Visiting on Sunday mornings', text: 'From the panel’s March meeting' },
    });
    await api.request({
      method: 'POST',
      url: `/v1/recommendations/${made.json().id}/decline`,
      payload: { response: 'Sunday mornings are the ward round; visiting starts at noon.' },
    });
    await board.waitForSelector('#panel-section:not([hidden])', { timeout: 30_000 });
    t.match(
      await board.locator('#panel-entries').textContent(),
      /Our lived experience panel recommendedVisiting on Sunday mornings.*We couldn’t, becauseSunday mornings are the ward round/,
    );
    t.equal(await board.locator('#entries > .card').count(), 5, 'and not among the entries on the board page');
    await axe(board, 'board-with-panel');

    t.same(
      // The aborted requests of the simulated network blip are expected.
      problems.filter((problem) => !problem.includes('net::ERR_FAILED')),
      [],
      'no script errors and no CSP violations in the console',
    );
  });
}
