import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';
export const artifacts = 'test-artifacts';
const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The part of a tap test these helpers use. */
interface TestContext {
  teardown(fn: () => unknown): void;
  same(found: unknown, wanted: unknown, message: string): unknown;
}

/** True when Debian's Chromium is installed; browser tests skip (or fail in CI) otherwise. */
export const hasChromium = (): boolean => existsSync(chromiumPath);

/**
 * Debian's Chromium, headless, closed when the test ends. `fakeMedia` gives it a fake microphone and
 * camera, allowed without a prompt, so the form's recorder can be driven.
 */
export async function launchChromium(t: TestContext, options: { fakeMedia?: boolean } = {}): Promise<Browser> {
  await mkdir(artifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...(options.fakeMedia ? ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'] : []),
    ],
  });
  t.teardown(() => browser.close());
  return browser;
}

/** A page in a context of its own, collecting script errors and CSP violations into `problems`. */
export async function newPage(
  browser: Browser,
  problems: string[],
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
  return page;
}

let axeSource: string | undefined;

/** Runs axe-core for WCAG 2.2 AA on the page and saves a full-page screenshot as `name`.png. */
export async function checkWithAxe(t: TestContext, page: Page, name: string): Promise<void> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, so the page's strict CSP need not be relaxed.
  await page.evaluate(axeSource);
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(wcagTags)} }, resultTypes: ['violations'] })`,
  )) as { violations: { id: string; help: string; nodes: { target: unknown }[] }[] };
  const summary = result.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`,
  );
  t.same(summary, [], `${name}: no WCAG 2.2 AA violations found by axe-core`);
  await page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });
}

/** Presses Tab until the element matching `selector` has the focus. */
export async function tabTo(page: Page, selector: string): Promise<void> {
  for (let presses = 0; presses < 150; presses++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
  }
  throw new Error(`Tab never reached ${selector} on ${page.url()}`);
}

/** Tabs to `selector` and presses Enter on it, waiting for the page it leads to. */
export async function pressAndWait(page: Page, selector: string): Promise<void> {
  await tabTo(page, selector);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}
