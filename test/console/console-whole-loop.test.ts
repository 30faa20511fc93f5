import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import t, { type Test } from 'tap';
import {
  checkWithAxe,
  chromiumPath,
  hasChromium,
  launchChromium,
  newPage,
  pressAndWait,
  tabTo,
} from '../helpers/browser.js';
import { createTestDatabase, onServer } from '../helpers/database.js';
import { startOidcProvider } from '../helpers/oidc-provider.js';
import { callService, freePort, type RunningService, startService } from '../helpers/service-process.js';

// The issue's "not done until": a ward manager signs in with the trust's identity provider, triages
// a new item, answers it with an action, hands over the reply slip and sees the board and the
// closure chart change, in a real browser, by keyboard alone, against the real service started on
// PostgreSQL and on the embedded database (PGlite).

const adminKey = 'whole-loop-admin-secret-0123456789abcdef';
const managerEmail = 'robin.hale@willow.nhs.uk';

const call = <T = { id: string }>(service: RunningService, method: string, path: string, body?: unknown) =>
  callService<T>(service, adminKey, method, path, body);

interface Reply {
  id: string;
  kind: string;
  status: string;
}

/** Screenshots for the README, when SCREENSHOT_DIR names a folder. */
async function shot(page: Page, name: string) {
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: join(process.env.SCREENSHOT_DIR, `${name}.png`) });
}

/** Tabs to a field and types into it. */
async function typeInto(page: Page, selector: string, text: string) {
  await tabTo(page, selector);
  await page.keyboard.type(text);
}

/** The closure report's "All items" row on the console page: received, closed. */
async function closureTotals(page: Page): Promise<string[]> {
  const cells = await page.locator('tr', { hasText: 'All items' }).first().locator('td').allTextContents();
  return cells.slice(0, 2).map((cell) => cell.trim());
}

async function wholeLoop(t: Test, browser: Browser, service: RunningService, idpIssuer: string) {
  const trust = await call(service, 'POST', '/v1/units', { code: 'WLT', name: 'Willow Trust', type: 'trust' });
  const ward = await call(service, 'POST', '/v1/units', {
    code: 'WLT-ASH',
    name: 'Ash Ward',
    type: 'ward',
    parentId: trust.id,
  });
  await call(service, 'POST', '/v1/people', { email: managerEmail, role: 'staff', unitId: ward.id });
  const item = await call<{ id: string; reference: string }>(service, 'POST', '/v1/feedback', {
    unitId: ward.id,
    channel: 'suggestion_box',
    text: 'Nobody told me when visiting times changed and my mum waited outside for an hour',
    contact: { wantsReply: true, replyBy: 'in_person', name: 'Jo' },
  });

  const problems: string[] = [];
  const page = await newPage(browser, problems);

  // Sign in: the console sends the person to the identity provider and back.
  await page.goto(`${service.base}/console`);
  await pressAndWait(page, 'a[href="/console/sign-in"]');
  await pressAndWait(page, 'a[href="/console/auth/start"]');
  t.equal(new URL(page.url()).origin, idpIssuer, 'on to the identity provider');
  await typeInto(page, 'input[name=login]', 'robin');
  await typeInto(page, 'input[name=password]', 'any password');
  await pressAndWait(page, 'button[type=submit]');
  if (!page.url().startsWith(service.base)) await pressAndWait(page, 'button[type=submit]'); // the consent page
  await page.waitForURL(`${service.base}/console`);
  t.equal(await page.locator('h1').textContent(), 'Your console');

  // Before: the closure report has the item received, not closed.
  await pressAndWait(page, 'a[href="/console/reports"]');
  await pressAndWait(page, 'a[href="/console/reports/closure"]');
  t.same(await closureTotals(page), ['1', '0'], 'the closure report: one received, none closed yet');

  // Triage: the new item from the inbox, a summary the board may show.
  await page.goto(`${service.base}/console`);
  await pressAndWait(page, 'a[href="/console/inbox"]');
  await shot(page, 'console-inbox');
  await pressAndWait(page, `a[href="/console/feedback/${item.id}"]`);
  t.match(await page.locator('blockquote').textContent(), /visiting times changed/);
  await shot(page, 'console-item');
  await typeInto(page, '#youSaid', 'Nobody told you when visiting times changed');
  await tabTo(page, '#publishConsent');
  await page.keyboard.press('Space');
  await pressAndWait(page, 'form[action$="/triage"] button');
  t.match(await page.locator('#youSaid').inputValue(), 'Nobody told you when visiting times changed');

  // Answer it with a new action.
  await typeInto(page, '#title', 'Visiting times on the ward door and the website');
  await pressAndWait(page, 'form[action$="/action"] button');
  const actions = await call<{ items: { id: string }[] }>(service, 'GET', `/v1/actions?feedbackId=${item.id}`);
  const action = actions.items[0] as { id: string };
  t.ok(action, 'the action exists and answers the item');

  const outcome = 'We put the visiting times on the ward door and the website';
  await pressAndWait(page, `a[href="/console/actions/${action.id}"]`);
  await pressAndWait(page, '#progress');
  t.match(await page.locator('div.notice[role=status]').textContent(), /progress/i);
  await typeInto(page, '#outcome', outcome);
  await pressAndWait(page, 'form[action$="/complete"] button');
  t.equal((await call<{ status: string }>(service, 'GET', `/v1/feedback/${item.id}`)).status, 'actioned');
  await checkWithAxe(t, page, 'console-action-done');
  await shot(page, 'console-action');

  // The answer waits for staff: print its slip, then record it handed over.
  const replies = (await call<{ items: Reply[] }>(service, 'GET', `/v1/feedback/${item.id}/replies`)).items;
  const answer = replies.find((reply) => reply.kind === 'answer');
  t.equal(answer?.status, 'queued', 'the answer is waiting to be handed over');
  await page.goto(`${service.base}/console`);
  await pressAndWait(page, 'a[href="/console/replies"]');
  t.match(await page.locator('table#waiting').textContent(), item.reference);
  await shot(page, 'console-replies');
  await pressAndWait(page, `a[href="/console/replies/${answer?.id}/slip"]`);
  t.match(await page.locator('body').textContent(), outcome, 'the slip gives the answer');
  await checkWithAxe(t, page, 'console-slip');
  await page.goBack();
  await pressAndWait(page, `form[action="/console/replies/${answer?.id}/handed-over"] button`);
  const handedOver = (await call<{ items: Reply[] }>(service, 'GET', `/v1/feedback/${item.id}/replies`)).items;
  t.equal(handedOver.find((reply) => reply.kind === 'answer')?.status, 'handed_over');

  // The board, as the ward sees it: the preview, then the public board itself.
  await page.goto(`${service.base}/console`);
  await pressAndWait(page, 'a[href="/console/boards"]');
  await pressAndWait(page, `a[href="/console/units/${ward.id}/board"]`);
  const preview = await page.locator('div.board-preview').textContent();
  t.match(preview, 'Nobody told you when visiting times changed');
  t.match(preview, outcome);
  await shot(page, 'console-board-preview');
  const board = await (await fetch(`${service.base}/boards/WLT-ASH`)).text();
  t.match(board, outcome, 'the public board shows it');
  t.notMatch(board, /my mum waited outside/, 'never the private words');

  // After: the closure report counts it closed.
  await page.goto(`${service.base}/console/reports`);
  await pressAndWait(page, 'a[href="/console/reports/closure"]');
  t.same(await closureTotals(page), ['1', '1'], 'the closure report: one received, one closed');
  t.ok(await page.locator('svg title', { hasText: 'Closure rate' }).count(), 'the closure chart is drawn');
  // 400% zoom of a 1280 px screen is 320 CSS pixels: every page of the loop reflows without scrolling sideways.
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of [
    '/console',
    '/console/inbox',
    `/console/feedback/${item.id}`,
    `/console/actions/${action.id}`,
    '/console/actions',
    '/console/replies',
    `/console/units/${ward.id}/board`,
    '/console/reports/closure',
  ]) {
    await page.goto(`${service.base}${path}`);
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    t.equal(overflow, 0, `${path} fits 320 px`);
  }

  // The service's own pages only (the test provider's are not ours); the 401 of the first visit is
  // an answer on purpose, which Chromium logs as a failed load.
  t.same(
    problems.filter((problem) => problem.startsWith(service.base) && !/status of 401/.test(problem)),
    [],
    'no script errors or CSP violations',
  );
}

if (!hasChromium()) {
  if (process.env.CI) t.fail(`${chromiumPath} is missing: CI must install Debian's chromium`);
  else t.test('the whole loop', { skip: `needs Chromium (${chromiumPath} not found)` }, async () => {});
} else {
  /** The service on `database` with the test's identity provider, stopped when the test ends. */
  async function serviceWithProvider(t: Test, database: Record<string, string>) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const idp = await startOidcProvider(t, {
      redirectUri: `${base}/console/auth/callback`,
      accounts: { robin: { email: managerEmail, email_verified: true, name: 'Robin Hale' } },
    });
    const service = await startService({
      ...database,
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      ADMIN_API_KEY: adminKey,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      LOG_LEVEL: 'warn',
      PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    });
    t.teardown(async () => {
      if (service.child.exitCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
    });
    return { service, idp };
  }

  t.test('a ward manager closes the loop in the console by keyboard: on PostgreSQL', { skip: !onServer }, async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    const { service, idp } = await serviceWithProvider(t, { DATABASE_URL: database.url! });
    await wholeLoop(t, await launchChromium(t), service, idp.issuer);
  });

  t.test('a ward manager closes the loop in the console by keyboard: on the embedded database', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'wedid-loop-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const { service, idp } = await serviceWithProvider(t, { DATA_DIR: join(dir, 'data') });
    await wholeLoop(t, await launchChromium(t), service, idp.issuer);
  });
}
