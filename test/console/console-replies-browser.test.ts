import t from 'tap';
import { buildTestApp, createTree, testConfig } from '../helpers/app.js';
import { checkWithAxe, hasChromium, launchChromium, newPage } from '../helpers/browser.js';
import { personInvite } from '../helpers/console.js';
import { loop } from '../helpers/fixtures.js';
import { freePort } from '../helpers/service-process.js';

const port = await freePort();
const base = `http://127.0.0.1:${port}`;

t.test(
  'the replies list, a slip and the board preview in Chromium: axe-clean, no CSP violations',
  { skip: !hasChromium() },
  async (t) => {
    const api = await buildTestApp(t, { config: testConfig({ PUBLIC_BASE_URL: base }) });
    await api.app.listen({ port, host: '127.0.0.1' });
    const { ward } = await createTree(api);
    const l = loop(api);
    const item = await l.feedback(ward.id, {
      text: 'The garden gate is always locked',
      youSaid: 'The garden is locked at weekends',
      publishConsent: true,
      contact: { phone: '0113 496 0000', wantsReply: true, replyBy: 'in_person', communicationNeeds: ['easy_read'] },
    });
    const held = await l.feedback(ward.id, { text: 'Private', youSaid: 'Corridor lights' });
    await l.closeWithAction(ward.id, [item.id, held.id]);
    const inviteUrl = await personInvite(api, 'kai@willow.nhs.uk', 'staff', ward.id);

    const browser = await launchChromium(t);
    const problems: string[] = [];
    const page = await newPage(browser, problems);
    await page.goto(inviteUrl);
    await page.locator('button[type=submit]').click();
    await page.waitForURL(`${base}/console`);

    await page.goto(`${base}/console/replies`);
    t.equal(await page.locator('h1').textContent(), 'Replies waiting for staff');
    t.match(await page.locator('#waiting tbody').textContent(), item.reference);
    await checkWithAxe(t, page, 'console-replies');

    await page.locator('#waiting a[href$="/slip"]').first().click();
    await page.waitForURL(/\/slip$/);
    t.match(await page.locator('.reference').textContent(), item.reference);
    await checkWithAxe(t, page, 'console-reply-slip');

    await page.goto(`${base}/console/units/${ward.id}/board`);
    t.match(await page.locator('#entries').textContent(), 'The garden is locked at weekends');
    t.match(await page.locator('#held-back-title + p + ul').textContent(), held.reference);
    await checkWithAxe(t, page, 'console-board-preview');
    await page.goto(`${base}/console/units/${ward.id}/board?easyRead=1`);
    await checkWithAxe(t, page, 'console-board-preview-easy-read');

    await page.goto(`${base}/console/replies`);
    await page.locator('#waiting button[type=submit]').first().click();
    await page.waitForURL(`${base}/console/replies?handedOver=1`);
    t.match(await page.locator('[role=status]').textContent(), 'Recorded as handed over');
    t.same(problems, [], 'no script errors or CSP violations');
  },
);
