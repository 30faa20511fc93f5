import type { AddressInfo } from 'node:net';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { artifacts, checkWithAxe, chromiumPath, hasChromium, launchChromium, newPage } from '../helpers/browser.js';
import { loop } from '../helpers/fixtures.js';

if (!hasChromium()) {
  if (process.env.CI) t.fail(`${chromiumPath} is missing: CI must install Debian's chromium`);
  else t.test('the follow-up form in Chromium', { skip: `needs Chromium (${chromiumPath} not found)` }, async () => {});
} else {
  t.test('"Did this answer you?" works with no JavaScript and passes axe-core in Chromium', async (t) => {
    const api = await buildTestApp(t);
    const { ward } = await createTree(api);
    const staff = await api.createKey('staff');
    const l = loop(api, staff);
    const closedItem = async () => {
      const item = await l.feedback(ward.id, { youSaid: 'The garden is locked at weekends', publishConsent: true });
      const action = await l.action({ unitId: ward.id, feedbackIds: [item.id], title: 'Garden open at weekends' });
      t.equal((await l.complete(action.id, 'The garden is now open from 9am to 5pm every day.')).statusCode, 200);
      return item;
    };
    const item = await closedItem();
    const checked = await closedItem();

    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const origin = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    const browser = await launchChromium(t);
    const problems: string[] = [];

    // With JavaScript off, as some ward tablets and locked-down browsers have it.
    const page = await newPage(browser, problems, { javaScriptEnabled: false });
    await page.goto(`${origin}/track/${item.reference}`);
    t.equal(await page.locator('legend').textContent(), 'Did this answer you?');
    await page.screenshot({ path: `${artifacts}/follow-up-form-no-js.png`, fullPage: true });

    // Sent with nothing chosen: the form comes back with the error linked to the radios.
    await page.getByRole('button', { name: 'Send my answer' }).click();
    t.match(await page.title(), /^Error: /, 'the title says there is a problem');
    t.equal(await page.locator('.error-summary a').getAttribute('href'), '#answer-yes');
    t.match(await page.locator('fieldset').getAttribute('aria-describedby'), /answer-error/);
    await page.screenshot({ path: `${artifacts}/follow-up-form-error-no-js.png`, fullPage: true });

    await page.getByLabel('No', { exact: true }).check();
    await page.getByLabel(/anything else/i).fill('The garden still closes at 4pm');
    await page.getByRole('button', { name: 'Send my answer' }).click();
    t.match(page.url(), new RegExp(`/track/${item.reference}#follow-up$`), 'back on the tracking page (PRG)');
    t.match(await page.locator('#follow-up').textContent(), /did not help you/);
    t.match(await page.locator('#follow-up').textContent(), /opened your feedback again/);
    t.equal(await page.locator('form[method="post"]').count(), 0, 'not asked twice');
    await page.screenshot({ path: `${artifacts}/follow-up-thanks-no-js.png`, fullPage: true });

    t.equal(await l.status(item.id), 'in_review', 'the no reopened the item');
    const followUps = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/follow-ups`, key: staff });
    t.same(
      followUps.json().items.map((entry: { answer: string; comment: string }) => [entry.answer, entry.comment]),
      [['no', 'The garden still closes at 4pm']],
    );

    // axe-core runs as a script, so the same steps again where scripts may run (the pages have none).
    const audited = await newPage(browser, problems);
    await audited.goto(`${origin}/track/${checked.reference}`);
    await checkWithAxe(t, audited, 'follow-up-form');
    const radio = (await audited.locator('#answer-yes').boundingBox()) ?? { width: 0, height: 0 };
    t.ok(radio.width >= 24 && radio.height >= 24, `radios at least 24 by 24 CSS pixels (WCAG 2.5.8): ${radio.width}`);
    await audited.getByRole('button', { name: 'Send my answer' }).click();
    await checkWithAxe(t, audited, 'follow-up-form-error');
    await audited.getByLabel('Partly').check();
    await audited.getByRole('button', { name: 'Send my answer' }).click();
    t.match(await audited.locator('#follow-up').textContent(), /partly helped/);
    await checkWithAxe(t, audited, 'follow-up-thanks');
    t.equal(await l.status(checked.id), 'actioned', 'partly leaves it closed');

    // 400% zoom: 320 CSS pixels, one column, no sideways scrolling.
    await l.complete((await l.action({ unitId: ward.id, feedbackIds: [item.id] })).id);
    const narrow = await newPage(browser, problems, { viewport: { width: 320, height: 640 } });
    await narrow.goto(`${origin}/track/${item.reference}`);
    t.equal(await narrow.locator('legend').count(), 1, 'closed again: asked again');
    t.ok(
      await narrow.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth'),
      'no sideways scrolling at 320 CSS pixels',
    );
    await narrow.screenshot({ path: `${artifacts}/follow-up-form-320px.png`, fullPage: true });
    // The form sent with a mistake answers 400 on purpose; Chromium logs that as a failed load.
    const unexpected = problems.filter((problem) => !problem.includes('status of 400 (Bad Request)'));
    t.same(unexpected, [], 'no script errors and no CSP violations in the console');
  });
}
