import t from 'tap';
import { buildTestApp, createTree, testConfig } from '../helpers/app.js';
import { checkWithAxe, hasChromium, launchChromium, newPage } from '../helpers/browser.js';
import { personInvite } from '../helpers/console.js';
import { recordFeedback } from '../helpers/fixtures.js';
import { freePort } from '../helpers/service-process.js';

const port = await freePort();
const base = `http://127.0.0.1:${port}`;

t.test(
  'the actions pages in Chromium: the list, the new form, the action page, axe-clean',
  { skip: !hasChromium() },
  async (t) => {
    const api = await buildTestApp(t, { config: testConfig({ PUBLIC_BASE_URL: base }) });
    await api.app.listen({ port, host: '127.0.0.1' });
    const { ward } = await createTree(api);
    const item = await recordFeedback(api, ward.id, { text: 'The garden is locked at weekends' });
    await api.request({
      method: 'POST',
      url: '/v1/actions',
      payload: {
        unitId: ward.id,
        title: 'Open the garden at weekends',
        plannedFor: '2027-04-01',
        feedbackIds: [item.id],
      },
    });
    const inviteUrl = await personInvite(api, 'kai@willow.nhs.uk', 'staff', ward.id);

    const browser = await launchChromium(t);
    const problems: string[] = [];
    const page = await newPage(browser, problems);
    await page.goto(inviteUrl);
    await page.locator('button[type=submit]').press('Enter');
    await page.waitForURL(`${base}/console`);

    await page.goto(`${base}/console/actions`);
    t.equal(await page.locator('h1').textContent(), 'Actions');
    await checkWithAxe(t, page, 'console-actions');

    await page.locator('a[href="/console/actions/new"]').press('Enter');
    await page.waitForURL(`${base}/console/actions/new`);
    await checkWithAxe(t, page, 'console-action-new');
    await page.locator('#plannedFor').fill('soon');
    await page.locator('#title').fill('A quiz night every Friday');
    await page.locator('form[action="/console/actions"] button').press('Enter');
    await page.waitForLoadState('load');
    t.match(await page.locator('.error-summary').textContent(), /Write the date as year-month-day/);
    await checkWithAxe(t, page, 'console-action-new-error');
    await page.locator('#plannedFor').fill('2027-05-01');
    await page.locator('form[action="/console/actions"] button').press('Enter');
    await page.waitForURL(/\/console\/actions\/[0-9a-f-]{36}\?done=created$/);
    t.match(await page.locator('[role=status]').textContent(), /The action is created/);
    await checkWithAxe(t, page, 'console-action');

    await page.locator('#outcome').fill('');
    await page.locator('form[action$="/complete"] button').press('Enter');
    await page.waitForLoadState('load');
    t.match(await page.locator('.error-summary').textContent(), /Write what you did/);
    await checkWithAxe(t, page, 'console-action-error');
    await page.locator('#outcome').fill('Quiz night runs every Friday in the day room');
    await page.locator('form[action$="/complete"] button').press('Enter');
    await page.waitForURL(/\?done=completed$/);
    await checkWithAxe(t, page, 'console-action-done');
    // The refused forms (400) are answers on purpose; Chromium logs them as failed loads.
    t.same(
      problems.filter((problem) => !/status of 400/.test(problem)),
      [],
      'no script errors or CSP violations',
    );
  },
);
