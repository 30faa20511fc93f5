import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import t from 'tap';
import { buildTestApp, createTree, testConfig } from '../helpers/app.js';
import {
  artifacts,
  checkWithAxe,
  chromiumPath as executablePath,
  hasChromium,
  launchChromium,
  pressAndWait,
  tabTo,
} from '../helpers/browser.js';

const publicBaseUrl = 'https://feedback.willow-trust.example';
const marker = 'PRIVATE-MARKER-7Q';
// jsqr is CommonJS with a default export its types give to ESM only.
const jsQR = createRequire(import.meta.url)('jsqr') as typeof import('jsqr').default;

if (!hasChromium()) {
  if (process.env.CI) t.fail(`${executablePath} is missing: CI must install Debian's chromium`);
  else t.test('the tell-us form in Chromium', { skip: `needs Chromium (${executablePath} not found)` }, async () => {});
} else {
  t.test(
    'the tell-us form: keyboard only, axe-clean, Easy Read, kiosk, 320 px, and the QR code on the board',
    async (t) => {
      const api = await buildTestApp(t, {
        config: testConfig({
          PUBLIC_BASE_URL: publicBaseUrl,
          ALTCHA_HMAC_KEY: 'k8ZpQ2vX9rT4mW7yB1nC5dF3gH6jL0sA',
          // Every sending with JavaScript below solves the proof-of-work; the one without JavaScript is the
          // one allowed without it, and a second is refused.
          TELL_US_RATE_LIMIT_WITHOUT_CHALLENGE_PER_HOUR: '1',
        }),
      });
      const { ward } = await createTree(api);
      await api.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = api.app.server.address() as AddressInfo;
      const origin = `http://127.0.0.1:${port}`;
      const browser = await launchChromium(t);

      const problems: string[] = [];
      async function open(url: string, options: BrowserContextOptions & { clock?: boolean } = {}): Promise<Page> {
        const { clock, ...contextOptions } = options;
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
        const page = await context.newPage();
        page.on('console', (message) => {
          // The error-state page (400) and the limited one (429) are answers the test asks for.
          if (message.type() === 'error' && !/status of (400|429)/.test(message.text()))
            problems.push(`${url}: ${message.text()}`);
        });
        page.on('pageerror', (error) => problems.push(`${url}: ${error.message}`));
        if (clock) await page.clock.install();
        const response = await page.goto(`${origin}${url}`);
        t.ok(response?.ok(), `${url} loads`);
        return page;
      }
      const axe = (page: Page, name: string) => checkWithAxe(t, page, name);
      const noSidewaysScroll = (page: Page) =>
        page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth');
      /** A radio group: Tab into it, arrow to the choice (arrows also check it). */
      async function choose(page: Page, name: string, value: string) {
        await tabTo(page, `input[name="${name}"]`);
        for (let presses = 0; presses < 12; presses++) {
          if (await page.evaluate(`document.activeElement.value === ${JSON.stringify(value)}`)) break;
          await page.keyboard.press('ArrowDown');
        }
        await page.keyboard.press('Space');
      }
      /** Waits until `expression` holds, asking through DevTools (the pages' CSP forbids eval, so no waitForFunction). */
      async function until(page: Page, expression: string) {
        for (let tries = 0; tries < 600; tries++) {
          // A navigation under way (the kiosk going back to a fresh form) destroys the context: ask again.
          if (await page.evaluate(expression).catch(() => false)) return;
          await page.waitForTimeout(100);
        }
        throw new Error(`never true: ${expression}`);
      }
      const proofReady = (page: Page) => until(page, "document.querySelector('input[name=altcha]')?.value?.length > 0");
      const referenceOn = async (page: Page) => (await page.locator('.reference').textContent())?.trim() ?? '';

      // The board carries the QR code of the form, with the address written beside it, and it decodes to it.
      const formUrl = `${publicBaseUrl}/tell-us/${ward.code}`;
      const board = await open(`/boards/${ward.code}`);
      t.equal(await board.locator('.short-address').textContent(), formUrl.replace('https://', ''));
      const qr = PNG.sync.read(await board.locator('svg.qr').screenshot());
      t.equal(
        jsQR(new Uint8ClampedArray(qr.data), qr.width, qr.height)?.data,
        formUrl,
        'the QR code reads back as the form',
      );
      await board.emulateMedia({ media: 'print' });
      t.ok(await board.locator('svg.qr').isVisible(), 'and it is on the printed poster');
      await board.pdf({ path: `${artifacts}/board-poster-with-qr.pdf`, format: 'A4' });
      await axe(board, 'board-with-qr');

      // Standard: the error state first, then filled in and sent by keyboard alone.
      const form = await open(`/tell-us/${ward.code}`);
      await axe(form, 'tell-us-form');
      await proofReady(form);
      await pressAndWait(form, 'button[value=send]');
      t.equal(
        await form.evaluate("document.activeElement?.className ?? ''"),
        'error-summary',
        'the summary takes the focus',
      );
      t.equal(await form.locator('.error-summary a').first().getAttribute('href'), '#text');
      await axe(form, 'tell-us-form-errors');
      await tabTo(form, '.error-summary a');
      await form.keyboard.press('Enter');
      t.equal(await form.evaluate('document.activeElement?.id'), 'text', 'the summary’s link leads to the field');
      await form.keyboard.type(`The garden should open earlier ${marker}`);
      await choose(form, 'kind', 'suggestion');
      await choose(form, 'fftRating', 'good');
      await choose(form, 'submitterRole', 'carer');
      await choose(form, 'publishConsent', 'yes');
      await choose(form, 'wantsReply', 'yes');
      await choose(form, 'replyBy', 'email');
      await tabTo(form, '#email');
      await form.keyboard.type('private.person@example.com');
      await proofReady(form);
      await pressAndWait(form, 'button[value=equality]');
      await axe(form, 'tell-us-equality');
      await tabTo(form, '#ageBand');
      await form.keyboard.press('ArrowDown');
      await proofReady(form);
      await pressAndWait(form, 'button[value=send]');
      const reference = await referenceOn(form);
      t.match(reference, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/, 'the reference, large');
      t.match(await form.locator('main').textContent(), `${publicBaseUrl.replace('https://', '')}/track/${reference}`);
      await axe(form, 'tell-us-sent');
      await form.emulateMedia({ media: 'print' });
      t.ok(await form.locator('.slip').isVisible(), 'the slip prints');
      await form.pdf({ path: `${artifacts}/tell-us-slip.pdf`, format: 'A5' });

      // Easy Read: one question a screen, each checked with axe.
      const easy = await open(`/tell-us/${ward.code}?easyRead=1`);
      await axe(easy, 'tell-us-easy-read-1-kind');
      await choose(easy, 'kind', 'compliment');
      await pressAndWait(easy, 'button[value=next]');
      await axe(easy, 'tell-us-easy-read-2-text');
      await tabTo(easy, '#text');
      await easy.keyboard.type('The food is nice');
      await pressAndWait(easy, 'button[value=next]');
      await axe(easy, 'tell-us-easy-read-3-fft');
      await pressAndWait(easy, 'button[value=next]');
      await axe(easy, 'tell-us-easy-read-4-role');
      await choose(easy, 'submitterRole', 'patient');
      await pressAndWait(easy, 'button[value=next]');
      await axe(easy, 'tell-us-easy-read-5-consent');
      await choose(easy, 'publishConsent', 'no');
      await pressAndWait(easy, 'button[value=next]');
      await axe(easy, 'tell-us-easy-read-6-reply');
      await choose(easy, 'wantsReply', 'no');
      await pressAndWait(easy, 'button[value=next]');
      await axe(easy, 'tell-us-easy-read-7-file');
      t.equal(await easy.locator('#attachment').getAttribute('type'), 'file', 'the last screen offers a file');
      await proofReady(easy);
      await pressAndWait(easy, 'button[value=send]');
      t.match(await referenceOn(easy), /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      await axe(easy, 'tell-us-easy-read-sent');

      // Kiosk: nothing remembered by the browser, and a fresh form after two idle minutes.
      const kiosk = await open(`/tell-us/${ward.code}?kiosk=1`, { clock: true });
      t.equal(await kiosk.locator('form').getAttribute('autocomplete'), 'off');
      t.equal(await kiosk.locator('#email').getAttribute('autocomplete'), 'off');
      await axe(kiosk, 'tell-us-kiosk');
      await tabTo(kiosk, '#text');
      await kiosk.keyboard.type('Half written, then walked away');
      await kiosk.clock.fastForward(121_000);
      await until(kiosk, "document.getElementById('text')?.value === ''");
      t.pass('an abandoned kiosk form clears itself');
      await tabTo(kiosk, '#text');
      await kiosk.keyboard.type('The kiosk works');
      await proofReady(kiosk);
      await pressAndWait(kiosk, 'button[value=send]');
      t.match(await referenceOn(kiosk), /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      t.ok(await kiosk.locator('a.big', { hasText: 'Start again' }).isVisible(), 'a large Start again');
      await axe(kiosk, 'tell-us-kiosk-sent');
      await kiosk.clock.fastForward(121_000);
      // The sent page has the form's own address (it answers the POST), so wait for the fresh form itself.
      await until(kiosk, "!document.querySelector('.reference') && document.getElementById('text') !== null");
      t.equal(await kiosk.locator('.reference').count(), 0, 'the reference is gone from the shared screen');

      // 400% zoom: 320 CSS pixels, nothing cut off.
      for (const url of [`/tell-us/${ward.code}`, `/tell-us/${ward.code}?easyRead=1`]) {
        const narrow = await open(url, { viewport: { width: 320, height: 640 } });
        t.ok(await noSidewaysScroll(narrow), `${url}: no sideways scrolling at 320 CSS pixels`);
        await narrow.screenshot({
          path: `${artifacts}/tell-us-320px${url.includes('easy') ? '-easy-read' : ''}.png`,
          fullPage: true,
        });
      }

      // Without JavaScript: it still works, under the stricter limit.
      const plain = await open(`/tell-us/${ward.code}`, { javaScriptEnabled: false });
      await tabTo(plain, '#text');
      await plain.keyboard.type('Sent without JavaScript');
      await pressAndWait(plain, 'button[value=send]');
      t.match(await referenceOn(plain), /^[0-9A-Z]{4}-[0-9A-Z]{4}$/, 'no JavaScript needed');
      const second = await open(`/tell-us/${ward.code}`, { javaScriptEnabled: false });
      await tabTo(second, '#text');
      await second.keyboard.type('A second one without JavaScript');
      await pressAndWait(second, 'button[value=send]');
      t.match(
        await second.locator('h1').textContent(),
        /try again later/i,
        'the stricter limit without the proof-of-work',
      );

      const rows = await api.sql<{ channel: string }>(sql`select channel from feedback_items order by received_at`);
      t.same(
        rows.map((row) => row.channel),
        ['online', 'online', 'kiosk', 'online'],
        'four items: standard, Easy Read, kiosk, no JavaScript',
      );

      // The private words and the contact never reach a public surface.
      await api.request({
        method: 'PATCH',
        url: `/v1/feedback/${(await api.sql<{ id: string }>(sql`select id from feedback_items where reference = ${reference}`))[0]!.id}`,
        headers: { 'if-match': '"1"' },
        payload: { youSaid: 'Open the garden earlier' },
      });
      for (const url of [
        `/boards/${ward.code}`,
        `/v1/units/${ward.id}/board`,
        `/track/${reference}`,
        `/v1/track/${reference}`,
      ]) {
        const body = (await api.request({ method: 'GET', url, key: null })).body;
        t.notMatch(body, marker, `${url}: no private text`);
        t.notMatch(body, 'private.person@example.com', `${url}: no contact details`);
      }
      const tracking = await open(`/track/${reference}`);
      t.equal(
        await tracking.locator(`a[href="/tell-us/${ward.code}"]`).count(),
        1,
        'the tracking page links to the form',
      );

      t.same(problems, [], 'no script errors and no CSP violations in the console');
    },
  );
}
