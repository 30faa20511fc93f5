import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createTestDatabase, onServer } from '../helpers/database.js';
import { freePort, type RunningService, runToEnd, startService } from '../helpers/service-process.js';

// The README's walkthrough is run as written, so it cannot rot: the start command's settings start
// the service, and the shell blocks between the markers run in one bash with `set -euo pipefail`.
const readme = await readFile('README.md', 'utf8');

/** The ```sh blocks between two markers of the README, in order. */
function shellBlocks(from: string, to: string): string[] {
  const start = readme.indexOf(`<!-- walkthrough:${from} -->`);
  const end = readme.indexOf(`<!-- walkthrough:${to} -->`, start);
  if (start < 0 || end < 0) throw new Error(`README.md has no walkthrough:${from} … walkthrough:${to} markers`);
  return [...readme.slice(start, end).matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1] as string);
}

/** `NAME=value … npm start` → the settings, DATA_DIR left out (the test picks the database). */
function serviceSettings(): Record<string, string> {
  const [command] = shellBlocks('service', 'start');
  const line = command?.trim() ?? '';
  if (!/^([A-Z][A-Z0-9_]*=("[^"]*"|\S+)\s+)+npm start$/.test(line))
    throw new Error(`the walkthrough's start command is not "NAME=value … npm start": ${line}`);
  const settings: Record<string, string> = {};
  for (const [, name, value] of line.matchAll(/([A-Z][A-Z0-9_]*)=("[^"]*"|\S+)/g))
    if (name !== 'DATA_DIR') settings[name as string] = value as string;
  return settings;
}

const missing = ['bash', 'curl', 'jq'].filter(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
);

// A developer without the tools skips; CI (.ci/run installs jq) must run it.
if (missing.length > 0 && process.env.CI)
  t.fail(`${missing.join(' and ')} missing: CI must install them to run the README walkthrough`);

t.test(
  'the README walkthrough runs end to end against a fresh service',
  { skip: missing.length > 0 ? `needs ${missing.join(' and ')} on the PATH (apt-get install -y jq curl)` : false },
  async (t) => {
    // A fresh database on the PostgreSQL server when there is one, else a fresh PGlite directory.
    let service: RunningService | undefined;
    let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
    let dataDir: string | undefined;
    t.teardown(async () => {
      if (service && service.child.exitCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
      await database?.drop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });
    if (onServer) database = await createTestDatabase();
    else dataDir = await mkdtemp(join(tmpdir(), 'wedid-walkthrough-'));
    service = await startService({
      ...serviceSettings(),
      ...(database?.url ? { DATABASE_URL: database.url } : { DATA_DIR: dataDir as string }),
    });

    const script = shellBlocks('start', 'end').join('\n');
    const run = await runToEnd(
      'bash',
      ['-euo', 'pipefail', '-c', script],
      { TMPDIR: tmpdir(), WEDID: service.base, HOOK_PORT: String(await freePort()) },
      120_000,
    );
    const out = run.stdout;
    t.equal(run.code, 0, 'every command succeeded', { stdout: out.slice(-4000), stderr: run.stderr.slice(-4000) });

    const recorded = /^recorded (\S+) \(reference (\S+)\); the retry answered (\S+)$/m.exec(out);
    t.ok(recorded, 'the item was recorded');
    const [, item, reference, retried] = recorded ?? [];
    t.equal(retried, item, 'the retry with the same Idempotency-Key answered the same item');
    t.match(out, /^the same If-Match again: 412$/m, 'a stale If-Match answers 412');
    t.match(
      out,
      '{"type":"we_did","youSaid":["It is too noisy at night to sleep"]',
      'the board JSON shows the "You said" summary with its "We did"',
    );
    t.match(out, /"type":"we_couldnt","youSaid":\["Let us keep our phones overnight"\]/, 'and the decision');
    t.match(out, '<p>It is too noisy at night to sleep</p>', 'the board page shows the "You said" summary');
    t.match(out, `{"reference":"${reference}","status":"actioned"`, 'tracking by reference shows the item actioned');
    t.match(out, `<title>Your feedback ${reference}`, 'the tracking page names the reference');
    t.match(out, /^key,unitCode,unitName,odsCode,received,/m, 'the closure report comes as CSV');
    t.match(out, /^\S+,RXX-WILLOW,Willow Ward,,2,0,0,2,1,1,/m, 'counting both items, closed, one each way');
    t.match(out, /^\{"ok":true,/m, 'audit verify says ok');
    t.equal(out.match(/^\{"index":\d+,"status":201,/gm)?.length, 2, 'the batch recorded both items');
    const csvRows = (await readFile('docs/examples/feedback-import.csv', 'utf8')).match(/^RXX-WILLOW,/gm)?.length;
    t.equal(out.match(/^\{"line":\d+,"status":201,/gm)?.length, csvRows, 'the CSV import recorded every row');

    const deliveries: string[] = out.match(/^\{"eventType":.*$/gm) ?? [];
    const received: string[] = out.match(/^received \S+ for \S+$/gm) ?? [];
    t.ok(deliveries.length > 0, 'the webhook has deliveries');
    t.ok(
      deliveries.every((line) => line.includes('"status":"delivered"')),
      'every delivery was delivered',
      { deliveries },
    );
    t.equal(received.length, deliveries.length, 'the receiver got each delivery once');
    t.ok(received.includes(`received feedback.closed for ${item}`), 'the receiver heard the item close');

    // The service saw no 5xx, and the only refusal was the stale If-Match the walkthrough shows.
    const requests = service
      .output()
      .split('\n')
      .flatMap((line) => {
        try {
          const entry = JSON.parse(line) as { msg?: string; status?: number; method?: string; route?: string };
          return entry.msg === 'request' ? [entry] : [];
        } catch {
          return [];
        }
      });
    t.ok(requests.length > 20, 'the service logged the walkthrough’s requests');
    t.same(
      requests
        .filter((entry) => (entry.status ?? 0) >= 400)
        .map((entry) => `${entry.method} ${entry.route} ${entry.status}`),
      ['PATCH /v1/feedback/:id 412'],
      'no request failed but the stale If-Match',
    );
  },
);
