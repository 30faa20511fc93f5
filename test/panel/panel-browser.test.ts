import type { AddressInfo } from 'node:net';
import t from 'tap';
import { multipart, wavFile } from '../attachments/media.js';
import { buildTestApp, createTree, testConfig } from '../helpers/app.js';
import {
  artifacts,
  checkWithAxe,
  chromiumPath,
  hasChromium,
  launchChromium,
  newPage,
  pressAndWait,
  tabTo,
} from '../helpers/browser.js';
import { loop } from '../helpers/fixtures.js';
import { pathOf } from './panel-client.js';

// Markers only the private parts of an item carry (its words, contact, equality answers, the name of
// its attachment): none may reach any panel page.
const privateMarkers = ['PRIVATE-TEXT-4K', 'private-4k@example.org', 'Person Fourk', '07700900444', 'PRIVATE-FILE-4K'];

if (!hasChromium()) {
  if (process.env.CI) t.fail(`${chromiumPath} is missing: CI must install Debian's chromium`);
  else t.test('the panel pages in Chromium', { skip: `needs Chromium (${chromiumPath} not found)` }, async () => {});
} else {
  t.test(
    'a reviewer, by keyboard alone: invite link, de-identified feedback, a recommendation, and it done',
    async (t) => {
      const api = await buildTestApp(t, {
        config: testConfig({ PUBLIC_BASE_URL: 'https://feedback.willow-trust.example' }),
      });
      const { ward, otherWard } = await createTree(api, 'P');
      const l = loop(api);
      const privateParts = {
        text: 'PRIVATE-TEXT-4K about the evenings',
        contact: { name: 'Person Fourk', email: 'private-4k@example.org', phone: '07700900444', wantsReply: true },
        equality: { ageBand: '35_44' },
        kind: 'suggestion',
        themes: ['activities'],
      };
      const evenings = await l.feedback(ward.id, {
        ...privateParts,
        youSaid: 'Evenings on the ward are long',
        reviewConsent: true,
      });
      await l.feedback(ward.id, {
        ...privateParts,
        kind: 'compliment',
        themes: ['food'],
        youSaid: 'Thank you for the fruit at breakfast',
        publishConsent: true,
      });
      await l.feedback(ward.id, { ...privateParts, youSaid: 'NOCONSENT summary' });
      await l.feedback(otherWard.id, { ...privateParts, youSaid: 'OTHERWARD summary', reviewConsent: true });
      const attached = await api.request({
        method: 'POST',
        url: `/v1/feedback/${evenings.id}/attachments`,
        ...multipart({}, { name: 'PRIVATE-FILE-4K.wav', type: 'audio/wav', bytes: wavFile() }),
      });
      t.equal(attached.statusCode, 201, 'an attachment with a telling name');
      const reviewerKey = await api.createKey('reviewer', ward.id, 'Panel key');

      const invite = (
        await api.request({ method: 'POST', url: '/v1/review/invites', payload: { name: 'Sam', unitId: ward.id } })
      ).json() as { id: string; url: string };

      await api.app.listen({ port: 0, host: '127.0.0.1' });
      const origin = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
      const browser = await launchChromium(t);
      const problems: string[] = [];
      const page = await newPage(browser, problems, { locale: 'en-GB' });
      // 401 and 400 pages are answers the test asks for; the browser logs them as failed loads.
      page.on('console', () => {});

      const axe = (name: string) => checkWithAxe(t, page, `panel-${name}`);
      async function noPrivateMarkers(name: string) {
        const content = await page.content();
        for (const marker of privateMarkers) t.notOk(content.includes(marker), `${name}: no private marker ${marker}`);
      }
      /** At 320 CSS pixels (400% zoom of 1280) nothing needs sideways scrolling or is cut off. */
      async function at400PercentZoom(name: string) {
        await page.setViewportSize({ width: 320, height: 640 });
        t.ok(
          await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth'),
          `${name}: no sideways scrolling at 320 CSS pixels`,
        );
        const cut = await page.evaluate(`[...document.querySelectorAll('main *, header *')].filter((el) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && (box.right > document.documentElement.clientWidth + 1 || box.left < -1);
      }).map((el) => el.tagName + '.' + el.className).slice(0, 5)`);
        t.same(cut, [], `${name}: nothing sticks out at 320 CSS pixels`);
        await page.screenshot({ path: `${artifacts}/panel-${name}-320px.png`, fullPage: true });
        await page.setViewportSize({ width: 1280, height: 800 });
      }
      async function check(name: string) {
        await axe(name);
        await noPrivateMarkers(name);
        await at400PercentZoom(name);
      }

      // The link from the email: a Start page, the link not yet spent.
      const opened = await page.goto(`${origin}${pathOf(invite.url)}`);
      t.equal(opened?.status(), 200);
      t.equal(opened?.headers()['cache-control'], 'no-store');
      await check('start');
      await pressAndWait(page, 'button[type=submit]');
      t.equal(new URL(page.url()).pathname, '/review', 'signed in, on the review list');
      await check('list');

      // A session sees exactly what a reviewer key of the same scope sees.
      const apiList = await api.request({ method: 'GET', url: '/v1/review/feedback', key: reviewerKey });
      const viaKey = (apiList.json().items as { youSaid: string }[]).map((item) => item.youSaid);
      const onPage = await page.locator('.items h2').allTextContents();
      t.same(
        onPage.map((text) => text.trim()),
        viaKey,
        'the same items, in the same order',
      );
      t.same([...viaKey].sort(), ['Evenings on the ward are long', 'Thank you for the fruit at breakfast']);

      // Filter by kind with the keyboard: a select takes arrow keys.
      await tabTo(page, 'select#kind');
      await page.keyboard.press('ArrowDown');
      t.equal(await page.evaluate('document.activeElement.value'), 'compliment');
      await pressAndWait(page, 'form.filters button[type=submit]');
      t.same(
        (await page.locator('.items h2').allTextContents()).map((text) => text.trim()),
        ['Thank you for the fruit at breakfast'],
        'the kind filter',
      );
      // The filters' error state: a "to" date before the "from" date.
      await page.goto(`${origin}/review?from=2026-03-10&to=2026-03-01`);
      t.match(await page.locator('.error-summary').textContent(), /same as or after/);
      await check('list-error');
      await page.goto(`${origin}/review`);

      // One item, then recommend about it.
      await pressAndWait(page, `a[href="/review/feedback/${evenings.id}"]`);
      t.match(await page.locator('h1').textContent(), /Feedback/);
      t.match(await page.locator('main').textContent(), /Evenings on the ward are long/);
      await check('item');
      t.equal(
        (
          await page.goto(
            `${origin}/review/feedback/${(await l.feedback(ward.id, { youSaid: 'Hidden', text: 'x' })).id}`,
          )
        )?.status(),
        404,
        'an item without consent is not found',
      );
      await page.goto(`${origin}/review/feedback/${evenings.id}`);
      await pressAndWait(page, `a[href="/review/recommendations/new?feedbackId=${evenings.id}"]`);
      t.ok(await page.locator(`input[name=feedbackIds][value="${evenings.id}"]`).isChecked(), 'the item is chosen');
      await check('form');
      // Sent empty: the error summary, each error linked to its field.
      await pressAndWait(page, 'form[action="/review/recommendations"] button[type=submit]');
      t.match(await page.locator('.error-summary').textContent(), /Enter your recommendation in a few words/);
      await check('form-error');
      await tabTo(page, '.error-summary a[href="#title"]');
      await page.keyboard.press('Enter');
      t.equal(await page.evaluate('document.activeElement.id'), 'title', 'the error link takes the focus to its field');
      await page.keyboard.type('An evening activity every day');
      await tabTo(page, 'textarea#text');
      await page.keyboard.type('People told us evenings are long and empty. We ask for one activity each evening.');
      await tabTo(page, 'input[name=themes][value=activities]');
      await page.keyboard.press('Space');
      await pressAndWait(page, 'form[action="/review/recommendations"] button[type=submit]');
      t.equal(new URL(page.url()).pathname, '/review/recommendations', 'on to my recommendations');
      t.match(await page.locator('[role=status]').textContent(), /has been sent/);
      t.match(await page.locator('.items').textContent(), /An evening activity every day[\s\S]*Waiting for the ward/);
      await check('recommendations');

      // Staff accept it with an action, and complete the action (through the API).
      const listed = await api.request({ method: 'GET', url: '/v1/recommendations', key: reviewerKey });
      const made = (listed.json().items as { id: string; title: string; feedbackIds: string[]; themes: string[] }[])[0];
      t.match(made, { title: 'An evening activity every day', feedbackIds: [evenings.id], themes: ['activities'] });
      const action = await l.action({ unitId: ward.id, title: 'Evening activities rota', feedbackIds: [evenings.id] });
      const accepted = await api.request({
        method: 'POST',
        url: `/v1/recommendations/${made?.id}/accept`,
        payload: { actionIds: [action.id] },
      });
      t.equal(accepted.statusCode, 200, accepted.body);
      await page.reload();
      t.match(await page.locator('.items').textContent(), /Accepted[\s\S]*Evening activities rota/);
      t.equal((await l.complete(action.id, 'There is an activity every evening at seven')).statusCode, 200);
      await page.reload();
      t.match(await page.locator('.items').textContent(), /Done[\s\S]*There is an activity every evening at seven/);
      const audit = await api.request({
        method: 'GET',
        url: `/v1/audit?entityType=recommendation&entityId=${made?.id}`,
      });
      t.match(audit.body, `Sam (session of invite ${invite.id})`, 'the recommendation is audited as the session');

      // And on the board, without the reviewer's name.
      const board = await page.goto(`${origin}/boards/${ward.code}`);
      t.equal(board?.status(), 200);
      const boardText = (await page.locator('main').textContent()) ?? '';
      t.match(boardText, /An evening activity every day/);
      t.match(boardText, /There is an activity every evening at seven/);
      t.notMatch(boardText, /Sam/);

      // Easy Read: switched on by a link, kept by the session.
      await page.goto(`${origin}/review/recommendations`);
      await pressAndWait(page, 'nav a[href*="easyRead=1"]');
      t.match(await page.locator('h1').textContent(), /My suggestions/);
      await check('recommendations-easy-read');
      await page.goto(`${origin}/review`);
      t.match(await page.locator('h1').textContent(), /What people told the ward/, 'Easy Read stays on');
      await check('list-easy-read');
      await page.goto(`${origin}/review/feedback/${evenings.id}`);
      await check('item-easy-read');
      await page.goto(`${origin}/review/recommendations/new`);
      await pressAndWait(page, 'form[action="/review/recommendations"] button[type=submit]');
      await check('form-error-easy-read');
      await pressAndWait(page, 'nav a[href*="easyRead=0"]');
      t.match(await page.locator('h1').textContent(), /Make a recommendation|Feedback to review|My recommendations/);

      // Sign out by keyboard; the pages then say so.
      await pressAndWait(page, 'nav button[type=submit]');
      t.match(await page.locator('h1').textContent(), /You have signed out/);
      await check('signed-out');
      const after = await page.goto(`${origin}/review`);
      t.equal(after?.status(), 401);
      await check('not-signed-in');
      const again = await page.goto(`${origin}${pathOf(invite.url)}`);
      t.equal(again?.status(), 410, 'the link was spent');
      await check('link-used');

      // The 400, 401, 404 and 410 pages are answers the test asks for; the browser logs each as a failed load.
      const unexpected = problems.filter((problem) => !/status of (400|401|404|410)/.test(problem));
      t.same(unexpected, [], 'no script errors or CSP violations');
    },
  );
}
