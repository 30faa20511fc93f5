import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import t, { type Test } from 'tap';
import { wavFile } from '../attachments/media.js';
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
import { type RunningService, startService } from '../helpers/service-process.js';

// The "not done until": a person scans the QR code on a ward board, tells the ward something
// with a voice note or a few words, gets a reference and follows it, in a real browser, against the
// real service started on PostgreSQL and on the embedded database (PGlite). Keyboard only.

// jsqr is CommonJS with a default export its types give to ESM only.
const jsQR = createRequire(import.meta.url)('jsqr') as typeof import('jsqr').default;
const adminKey = 'end-to-end-admin-secret-0123456789abcdef';

async function api(service: RunningService, method: string, path: string, body?: unknown) {
  const response = await fetch(`${service.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** Space on the focused file input opens the chooser (asked again if a loaded machine missed it). */
async function chooseFile(page: Page, file: { name: string; mimeType: string; buffer: Buffer }) {
  for (let attempt = 1; ; attempt++) {
    try {
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser', { timeout: 10_000 }),
        page.keyboard.press('Space'),
      ]);
      return await chooser.setFiles(file);
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

async function scanToFollow(t: Test, browser: Browser, service: RunningService, name: string) {
  const unit = async (body: Record<string, unknown>) =>
    (await (await api(service, 'POST', '/v1/units', body)).json()) as { id: string; code: string };
  const trust = await unit({ type: 'trust', code: 'E2E-TRUST', name: 'Willow Trust' });
  const site = await unit({ type: 'site', code: 'E2E-SITE', name: 'Riverside', parentId: trust.id });
  const ward = await unit({ type: 'ward', code: 'E2E-WILLOW', name: 'Willow Ward', parentId: site.id });
  const problems: string[] = [];
  const formUrl = `${service.base}/tell-us/${ward.code}`;

  /** The reference on the sent page, then the tracking page reached by its link, keyboard only. */
  async function follow(page: Page, shot: string) {
    const reference = (await page.locator('.reference').textContent())?.trim() ?? '';
    t.match(reference, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/, `${shot}: the reference, large`);
    await checkWithAxe(t, page, `${shot}-sent`);
    await pressAndWait(page, `a[href$="/track/${reference}"]`);
    t.equal(new URL(page.url()).pathname, `/track/${reference}`, `${shot}: the link leads to the tracking page`);
    t.match(await page.locator('main').textContent(), reference, `${shot}: which names the reference`);
    await checkWithAxe(t, page, `${shot}-tracked`);
    return reference;
  }

  // The board on the ward wall: its QR code, read from a screenshot, is the form's address.
  const board = await newPage(browser, problems);
  await board.goto(`${service.base}/boards/${ward.code}`);
  const qr = PNG.sync.read(await board.locator('svg.qr').screenshot());
  const scanned = jsQR(new Uint8ClampedArray(qr.data), qr.width, qr.height)?.data;
  t.equal(scanned, formUrl, 'the QR code on the board reads as the form’s address');

  // A few words and a small real audio file, chosen from the keyboard, sent.
  const form = await newPage(browser, problems);
  t.ok((await form.goto(scanned ?? formUrl))?.ok(), 'the scanned address opens the form');
  await tabTo(form, '#text');
  await form.keyboard.type('Please keep the garden open in the evening');
  await tabTo(form, '#attachment');
  await chooseFile(form, { name: 'voice-note.wav', mimeType: 'audio/wav', buffer: wavFile(1) });
  await pressAndWait(form, 'button[value=send]');
  const written = await follow(form, `e2e-${name}-standard`);

  // Easy Read, one question a screen, ending with a voice note recorded in the page.
  const easy = await newPage(browser, problems);
  await easy.goto(`${formUrl}?easyRead=1`);
  for (let screen = 1; screen <= 6; screen++) await pressAndWait(easy, 'button[value=next]');
  t.equal(await easy.locator('input[name=step]').getAttribute('value'), 'attachment', 'the last screen: a file');
  await checkWithAxe(t, easy, `e2e-${name}-easy-read-file`);
  await tabTo(easy, '#record-voice');
  await easy.keyboard.press('Enter');
  await easy.locator('#record-status', { hasText: 'Recording' }).waitFor();
  await easy.waitForTimeout(1500);
  await easy.keyboard.press('Enter');
  await easy.locator('#record-status', { hasText: 'Voice note recorded' }).waitFor();
  await checkWithAxe(t, easy, `e2e-${name}-easy-read-recorded`);
  await pressAndWait(easy, 'button[value=send]');
  const spoken = await follow(easy, `e2e-${name}-easy-read`);

  // Staff find both waiting for a person (the screen cannot hear a voice note), with the files.
  const flagged = (
    (await (await api(service, 'GET', '/v1/feedback?safeguarding=flagged')).json()) as { items: unknown }
  ).items as {
    id: string;
    reference: string;
    format: string;
    safeguardingReason: string;
  }[];
  const byReference = new Map(flagged.map((item) => [item.reference, item]));
  t.match(byReference.get(written), { format: 'voice', safeguardingReason: 'unscreened_file' });
  t.match(byReference.get(spoken), { format: 'voice', safeguardingReason: 'unscreened_file' });
  const item = byReference.get(written)!;
  const listed = (await (await api(service, 'GET', `/v1/feedback/${item.id}/attachments`)).json()) as {
    items: { id: string }[];
  };
  const attachment = listed.items[0]!;
  const bytes = Buffer.from(
    await (await api(service, 'GET', `/v1/feedback/${item.id}/attachments/${attachment.id}`)).arrayBuffer(),
  );
  t.ok(bytes.equals(wavFile(1)), 'the audio file comes back to staff byte for byte');
  t.same(problems, [], 'no script errors and no CSP violations in the console');
}

function stopAtEnd(t: Test, service: RunningService) {
  t.teardown(async () => {
    if (service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });
  return service;
}

// No PORT or PUBLIC_BASE_URL: startService picks a free port, and the public address follows it,
// so the QR code points at this very service.
const serviceEnv = {
  ADMIN_API_KEY: adminKey,
  LOG_LEVEL: 'warn',
  // No proof-of-work here: the sendings run under the limit for those without it.
  TELL_US_RATE_LIMIT_WITHOUT_CHALLENGE_PER_HOUR: '10',
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
};

if (!hasChromium()) {
  if (process.env.CI) t.fail(`${chromiumPath} is missing: CI must install Debian's chromium`);
  else t.test('scan, tell, follow', { skip: `needs Chromium (${chromiumPath} not found)` }, async () => {});
} else {
  t.test('scan the QR code, tell the ward, follow the reference: on PostgreSQL', { skip: !onServer }, async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    const service = stopAtEnd(t, await startService({ ...serviceEnv, DATABASE_URL: database.url! }));
    const browser = await launchChromium(t, { fakeMedia: true });
    await scanToFollow(t, browser, service, 'postgres');
  });

  t.test('scan the QR code, tell the ward, follow the reference: on the embedded database', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'wedid-e2e-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const service = stopAtEnd(t, await startService({ ...serviceEnv, DATA_DIR: join(dir, 'data') }));
    t.notMatch(service.output(), /postgres:\/\//, 'no PostgreSQL in sight: PGlite in DATA_DIR');
    const browser = await launchChromium(t, { fakeMedia: true });
    await scanToFollow(t, browser, service, 'pglite');
  });
}
