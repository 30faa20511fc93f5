import t from 'tap';
import { buildTestApp, createTree, testConfig } from '../helpers/app.js';
import { checkWithAxe, hasChromium, launchChromium, newPage, pressAndWait, tabTo } from '../helpers/browser.js';
import { personInvite } from '../helpers/console.js';
import { recordFeedback } from '../helpers/fixtures.js';
import { freePort } from '../helpers/service-process.js';

const port = await freePort();
const base = `http://127.0.0.1:${port}`;

t.test(
  'triage with the keyboard only: inbox, item, a summary, a conflict, a decision',
  { skip: !hasChromium() },
  async (t) => {
    const api = await buildTestApp(t, { config: testConfig({ PUBLIC_BASE_URL: base }) });
    await api.app.listen({ port, host: '127.0.0.1' });
    const { ward } = await createTree(api);
    const item = await recordFeedback(api, ward.id, { text: 'The television in the day room is broken' });
    const flagged = await recordFeedback(api, ward.id, { text: 'Something worrying' });
    await api.request({
      method: 'POST',
      url: `/v1/feedback/${flagged.id}/safeguarding`,
      payload: { status: 'flagged' },
    });
    const inviteUrl = await personInvite(api, 'kai@willow.nhs.uk', 'staff', ward.id);

    const browser = await launchChromium(t);
    const problems: string[] = [];
    const page = await newPage(browser, problems);
    await page.goto(inviteUrl);
    await pressAndWait(page, 'button[type=submit]');
    await page.waitForURL(`${base}/console`);
    await pressAndWait(page, 'a[href="/console/inbox"]');
    await page.waitForURL(`${base}/console/inbox`);
    t.equal(await page.locator('h1').textContent(), 'Inbox');
    t.match(await page.locator('#pinned + ul').textContent(), flagged.reference, 'the flagged item pinned');
    await checkWithAxe(t, page, 'console-inbox');

    // Filter by kind with the keyboard: the select, an arrow, then the Show button.
    await tabTo(page, '#status');
    await page.keyboard.press('ArrowDown');
    await pressAndWait(page, 'button[type=submit]');
    t.match(await page.locator('#status').inputValue(), 'received');
    await checkWithAxe(t, page, 'console-inbox-filtered');

    await pressAndWait(page, `a[href="/console/feedback/${item.id}"]`);
    await page.waitForURL(`${base}/console/feedback/${item.id}`);
    t.match(await page.locator('blockquote').textContent(), /television in the day room/);
    await checkWithAxe(t, page, 'console-item');

    await tabTo(page, '#youSaid');
    await page.keyboard.type('The day room television is broken');
    await tabTo(page, '#publishConsent');
    await page.keyboard.press('Space');
    await tabTo(page, '#kind');
    await page.keyboard.press('ArrowDown'); // compliment
    await page.keyboard.press('ArrowDown'); // suggestion
    await pressAndWait(page, 'form[action$="/triage"] button');
    let stored = (await api.request({ method: 'GET', url: `/v1/feedback/${item.id}` })).json();
    t.equal(stored.youSaid, 'The day room television is broken');
    t.equal(stored.publishConsent, true);
    t.equal(stored.kind, 'suggestion');

    // Someone else changes it while this page is open.
    await api.request({
      method: 'PATCH',
      url: `/v1/feedback/${item.id}`,
      headers: { 'if-match': `"v${stored.version}"` },
      payload: { youSaid: 'The TV in the day room is broken' },
    });
    await page.locator('#youSaid').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Day room TV broken');
    await pressAndWait(page, 'form[action$="/triage"] button');
    t.match(await page.locator('#conflict-title').textContent(), /Someone else changed this item first/);
    t.match(await page.locator('table').textContent(), /The TV in the day room is broken.*Day room TV broken/s);
    await checkWithAxe(t, page, 'console-item-conflict');
    stored = (await api.request({ method: 'GET', url: `/v1/feedback/${item.id}` })).json();
    t.equal(stored.youSaid, 'The TV in the day room is broken', 'theirs kept until the person saves again');

    // A decision with a missing explanation, then a whole one.
    await page.goto(`${base}/console/feedback/${item.id}`);
    await tabTo(page, '#reasonCode');
    await page.keyboard.press('ArrowDown');
    await pressAndWait(page, 'form[action$="/decision"] button');
    t.match(await page.locator('.error-summary').textContent(), /Write the public explanation/);
    await checkWithAxe(t, page, 'console-item-error');
    await tabTo(page, '#explanation');
    await page.keyboard.type('A new television is on order for March');
    await pressAndWait(page, 'form[action$="/decision"] button');
    stored = (await api.request({ method: 'GET', url: `/v1/feedback/${item.id}` })).json();
    t.equal(stored.status, 'not_actioned');
    t.equal(stored.decision.explanation, 'A new television is on order for March');
    t.match(await page.locator('#reopen-title').textContent(), 'Reopen');
    // The conflict (409) and the refused decision (400) are answers on purpose; Chromium logs them as failed loads.
    t.same(
      problems.filter((problem) => !/status of (400|409)/.test(problem)),
      [],
      'no script errors or CSP violations',
    );
  },
);
