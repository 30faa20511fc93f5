import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { chromium, type Page } from 'playwright-core';
import t from 'tap';
import { buildTestApp, createTree } from '../helpers/app.js';
import { elfFile, wavFile } from './media.js';

const executablePath = '/usr/bin/chromium';
const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

if (!existsSync(executablePath)) {
  if (process.env.CI) t.fail(`${executablePath} is missing: CI must install Debian's chromium`);
  else
    t.test(
      'a voice note through the form in Chromium',
      { skip: `needs Chromium (${executablePath} not found)` },
      async () => {},
    );
} else {
  t.test('a voice note through the form in Chromium: chosen, sent, a reference; axe-clean', async (t) => {
    const api = await buildTestApp(t);
    const { ward } = await createTree(api);
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = api.app.server.address() as AddressInfo;
    const browser = await chromium.launch({
      executablePath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // A fake microphone, allowed without a prompt: the recorder below records its tone.
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
      ],
    });
    t.teardown(() => browser.close());
    const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    async function axe(page: Page, name: string) {
      await page.evaluate(axeSource);
      const result = (await page.evaluate(
        `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(wcagTags)} }, resultTypes: ['violations'] })`,
      )) as { violations: { id: string; help: string }[] };
      t.same(
        result.violations.map((v) => `${v.id}: ${v.help}`),
        [],
        `${name}: no WCAG 2.2 AA violations found by axe-core`,
      );
    }
    const page = await (await browser.newContext()).newPage();
    const url = `http://127.0.0.1:${port}/tell-us/${ward.code}`;

    // A program named voice.mp3: the form again, its error in the summary, axe-clean.
    await page.goto(url);
    await axe(page, 'form with file input');
    t.equal(await page.getByLabel('Or send a voice note, a video or a picture').getAttribute('type'), 'file');
    await page.setInputFiles('#attachment', { name: 'voice.mp3', mimeType: 'audio/mpeg', buffer: elfFile() });
    await Promise.all([page.waitForNavigation(), page.locator('button[value=send]').press('Enter')]);
    t.match(await page.locator('.error-summary').textContent(), /must be a voice recording, a video or a picture/);
    await axe(page, 'file refused');

    // A real voice note, no words: sent, and the reference shown.
    await page.setInputFiles('#attachment', { name: 'voice-note.wav', mimeType: 'audio/wav', buffer: wavFile() });
    await Promise.all([page.waitForNavigation(), page.locator('button[value=send]').press('Enter')]);
    const reference = (await page.locator('.reference').textContent())?.trim() ?? '';
    t.match(reference, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/, 'the sent page shows the reference');
    await axe(page, 'sent with a voice note');
    const rows = await api.sql<{ format: string; media_type: string }>(
      sql`select f.format, a.media_type from feedback_items f join attachments a on a.feedback_id = f.id where f.reference = ${reference}`,
    );
    t.same(rows, [{ format: 'voice', media_type: 'audio/wav' }]);

    // With JavaScript and a microphone: recorded in the page (MediaRecorder), put in the file input, sent.
    await page.goto(url);
    await page.locator('#record-voice').click();
    await page.locator('#record-status', { hasText: 'Recording' }).waitFor();
    await page.waitForTimeout(1500);
    await page.locator('#record-voice').click();
    await page.locator('#record-status', { hasText: 'Voice note recorded' }).waitFor();
    await axe(page, 'voice note recorded in the page');
    await Promise.all([page.waitForNavigation(), page.locator('button[value=send]').press('Enter')]);
    const recordedRef = (await page.locator('.reference').textContent())?.trim() ?? '';
    t.match(recordedRef, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/, 'the recorded voice note is sent');
    const recorded = await api.sql<{ format: string; media_type: string }>(
      sql`select f.format, a.media_type from feedback_items f join attachments a on a.feedback_id = f.id where f.reference = ${recordedRef}`,
    );
    t.match(recorded, [{ format: 'voice', media_type: /^(audio|video)\// }], 'stored as a voice note');
  });
}
