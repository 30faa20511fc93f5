import type { AddressInfo } from 'node:net';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { artifacts, checkWithAxe, chromiumPath, hasChromium, launchChromium, newPage } from '../helpers/browser.js';
import { loop } from '../helpers/fixtures.js';

if (!hasChromium()) {
  if (process.env.CI) t.fail(`${chromiumPath} is missing: CI must install Debian's chromium`);
  else t.test('the reply slip in Chromium', { skip: `needs Chromium (${chromiumPath} not found)` }, async () => {});
} else {
  t.test('the reply slip passes axe-core in Chromium, on screen and printed', async (t) => {
    const api = await buildTestApp(t);
    const { ward } = await createTree(api);
    const staff = await api.createKey('staff');
    const l = loop(api, staff);
    const slipOf = async (contact: Record<string, unknown>) => {
      const item = await l.feedback(ward.id, {
        kind: 'suggestion',
        youSaid: 'We want to go outside more',
        publishConsent: true,
        contact: { name: 'Sam Example', wantsReply: true, replyBy: 'in_person', ...contact },
      });
      const action = await l.action({ unitId: ward.id, feedbackIds: [item.id], title: 'Garden open at weekends' });
      await l.complete(action.id, 'The garden is now open from 9am to 5pm every day, with staff nearby.');
      const replies = await api.request({ method: 'GET', url: `/v1/feedback/${item.id}/replies`, key: staff });
      const answer = replies.json().items.find((reply: { kind: string }) => reply.kind === 'answer');
      return `/v1/feedback/${item.id}/replies/${answer.id}/slip`;
    };
    const standard = await slipOf({});
    const large = await slipOf({ communicationNeeds: ['large_print', 'easy_read', 'bsl'] });

    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const origin = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    const browser = await launchChromium(t);
    const problems: string[] = [];
    const page = await newPage(browser, problems, { extraHTTPHeaders: { authorization: `Bearer ${staff}` } });

    for (const [name, url, paper] of [
      ['reply-slip', standard, 'A5'],
      ['reply-slip-large-print', large, 'A4'],
    ] as const) {
      const response = await page.goto(`${origin}${url}`);
      t.equal(response?.status(), 200, `${name} loads`);
      await checkWithAxe(t, page, name);
      await page.emulateMedia({ media: 'print' });
      // The paper's width at 96 CSS pixels to the inch, so the screenshot shows the printed line length.
      await page.setViewportSize(paper === 'A5' ? { width: 559, height: 794 } : { width: 794, height: 1123 });
      t.equal(
        await page.evaluate("getComputedStyle(document.querySelector('.staff')).display"),
        'none',
        'staff box not printed',
      );
      await checkWithAxe(t, page, `${name}-print`);
      await page.pdf({ path: `${artifacts}/${name}.pdf`, preferCSSPageSize: true });
      await page.emulateMedia({ media: 'screen' });
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    t.same(problems, [], 'no script errors and no CSP violations in the console');
  });
}
