import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { createTestDatabase, onServer } from '../helpers/database.js';
import { callService, type RunningService, runToEnd, startService } from '../helpers/service-process.js';

// Backups as an operator takes them (README, Backups): the real service writes through the API, the
// backup is taken and restored by the commands the README gives, and a service started on the copy
// serves the same data and verifies the same audit chain under the same AUDIT_HMAC_KEY.

const adminKey = 'backup-test-admin-secret-0123456789abcdef';
const serviceEnv = {
  ADMIN_API_KEY: adminKey,
  AUDIT_HMAC_KEY: 'YmFja3VwLXRlc3QtYXVkaXQta2V5LTAxMjM0NTY3ODk=',
  LOG_LEVEL: 'warn',
};

const api = <T>(service: RunningService, method: string, path: string, body?: unknown) =>
  callService<T>(service, adminKey, method, path, body);

interface Written {
  feedbackId: string;
  actionId: string;
  auditEvents: number;
}

/** A unit, a feedback item and an action answering it, each with its audit events; the chain verified. */
async function writeThroughTheApi(t: Test, service: RunningService): Promise<Written> {
  const unit = await api<{ id: string }>(service, 'POST', '/v1/units', {
    type: 'trust',
    code: 'BACKUP-TRUST',
    name: 'Willow Trust',
  });
  const item = await api<{ id: string }>(service, 'POST', '/v1/feedback', {
    unitId: unit.id,
    text: 'The garden is locked in the evening',
  });
  const action = await api<{ id: string }>(service, 'POST', '/v1/actions', {
    unitId: unit.id,
    title: 'Open the garden until 9pm',
    feedbackIds: [item.id],
  });
  const verified = await api<{ ok: boolean; checked: number; firstKeyedSeq: number | null }>(
    service,
    'GET',
    '/v1/audit/verify',
  );
  t.match(verified, { ok: true, firstKeyedSeq: 1 }, 'the original chain verifies, keyed');
  return { feedbackId: item.id, actionId: action.id, auditEvents: verified.checked };
}

/** The restored service serves what was written, and its chain (the old events and any new) verifies. */
async function checkRestored(t: Test, service: RunningService, written: Written) {
  const item = await api<{ text: string; status: string }>(service, 'GET', `/v1/feedback/${written.feedbackId}`);
  t.match(item, { text: 'The garden is locked in the evening', status: 'planned' }, 'the feedback item is there');
  const action = await api<{ title: string }>(service, 'GET', `/v1/actions/${written.actionId}`);
  t.equal(action.title, 'Open the garden until 9pm', 'the action is there');
  const events = await api<{ items: { action: string }[] }>(
    service,
    'GET',
    `/v1/audit?entityType=action&entityId=${written.actionId}`,
  );
  t.match(events.items, [{ action: 'created' }], 'the action’s audit event is there');
  const verified = await api<{ ok: boolean; checked: number }>(service, 'GET', '/v1/audit/verify');
  t.equal(verified.ok, true, 'GET /v1/audit/verify: the restored chain is valid');
  t.ok(verified.checked >= written.auditEvents, `every event before the backup is checked (${verified.checked})`);
}

function stopAtEnd(t: Test, service: RunningService): RunningService {
  t.teardown(() => stop(service));
  return service;
}

async function stop(service: RunningService) {
  if (service.child.exitCode === null) {
    service.child.kill('SIGTERM');
    await service.exited;
  }
}

/** `npm run <command> -- <args>` as an operator types it, on that DATA_DIR. */
const npmRun = (command: string, args: string[], dataDir: string) =>
  runToEnd('npm', ['run', command, '--', ...args], { DATA_DIR: dataDir }, 120_000);

t.test('the embedded database: backed up with the service stopped, restored into a new DATA_DIR', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'wedid-backup-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const backup = join(dir, 'wedid.tar.gz');

  const original = stopAtEnd(t, await startService({ ...serviceEnv, DATA_DIR: dataDir }));
  const written = await writeThroughTheApi(t, original);

  const whileRunning = await npmRun('backup', [backup], dataDir);
  t.not(whileRunning.code, 0, 'a backup while the service runs is refused');
  t.match(
    whileRunning.stderr,
    `DATA_DIR ${dataDir} is in use by process ${original.child.pid}`,
    'naming the service that holds the directory',
  );
  t.match(whileRunning.stderr, 'stop the service first, then back up');
  t.same(await readdir(dir), ['data'], 'and writes nothing');

  await stop(original);
  const made = await npmRun('backup', [backup], dataDir);
  t.equal(made.code, 0, 'with the service stopped the backup is taken', { stderr: made.stderr });
  t.match(
    made.stdout,
    new RegExp(
      `^backed up DATA_DIR ${dataDir} to ${backup} \\(\\d+\\.\\d MB, ${written.auditEvents} audit events, keyed: verification needs the same AUDIT_HMAC_KEY\\)$`,
      'm',
    ),
    'in one line saying what it wrote',
  );

  // A new DATA_DIR whose parent does not exist yet either.
  const restoredDir = join(dir, 'restored', 'data');
  const restored = await npmRun('restore', [backup], restoredDir);
  t.equal(restored.code, 0, 'the backup restores into a new DATA_DIR', { stderr: restored.stderr });
  t.match(
    restored.stdout,
    new RegExp(`^restored ${backup} into DATA_DIR ${restoredDir} \\(${written.auditEvents} audit events, keyed`, 'm'),
  );
  t.same(await readdir(join(dir, 'restored')), ['data'], 'nothing left beside it');

  const again = await npmRun('restore', [backup], restoredDir);
  t.not(again.code, 0, 'a restore onto a DATA_DIR that is not empty is refused');
  t.match(
    again.stderr,
    `DATA_DIR ${restoredDir} is not empty: restore into an empty or new directory, or pass --force`,
  );

  const service = stopAtEnd(t, await startService({ ...serviceEnv, DATA_DIR: restoredDir }));
  await checkRestored(t, service, written);

  const forcedWhileRunning = await npmRun('restore', [backup, '--force'], restoredDir);
  t.not(forcedWhileRunning.code, 0, '--force onto the DATA_DIR of a running service is refused');
  t.match(forcedWhileRunning.stderr, `DATA_DIR ${restoredDir} is in use by process ${service.child.pid}`);
  await checkRestored(t, service, written);
  await stop(service);

  const forced = await npmRun('restore', [backup, '--force'], dataDir);
  t.equal(forced.code, 0, '--force replaces a DATA_DIR that is not in use', { stderr: forced.stderr });
  t.same((await readdir(dir)).sort(), ['data', 'restored', 'wedid.tar.gz'], 'leaving no old copy behind');

  await t.test('a bad file or a missing argument is refused, and leaves nothing behind', (t) =>
    refusals(t, dir, backup),
  );
});

async function refusals(t: Test, dir: string, backup: string) {
  const badDir = await mkdtemp(join(dir, 'bad-'));
  const dataDir = join(badDir, 'data');
  // The real backup cut short, and a gzip file that holds no database.
  const cut = join(badDir, 'cut.tar.gz');
  const whole = await readFile(backup);
  await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
  const prose = join(badDir, 'prose.gz');
  await writeFile(prose, gzipSync('not a database'));
  const files = ['cut.tar.gz', 'prose.gz'];

  const truncated = await npmRun('restore', [cut], dataDir);
  t.not(truncated.code, 0, 'a backup cut short is refused');
  t.match(truncated.stderr, `${cut} is not a WeDid backup: not a whole gzip file`);
  const notADatabase = await npmRun('restore', [prose], dataDir);
  t.not(notADatabase.code, 0, 'a file holding no database is refused');
  t.match(notADatabase.stderr, `${prose} is not a WeDid backup: it holds no database PGlite can open`);
  t.same((await readdir(badDir)).sort(), files, 'no DATA_DIR and no half-restored folder is left');

  const absent = join(badDir, 'absent.tar.gz');
  const missing = await npmRun('restore', [absent], dataDir);
  t.not(missing.code, 0);
  t.match(missing.stderr, `cannot read ${absent}: no such file`, 'a missing file is named');
  const noArgument = await npmRun('backup', [], dataDir);
  t.not(noArgument.code, 0);
  t.match(noArgument.stderr, 'usage: npm run backup -- <file>', 'no argument: the usage');
  const nothingToBackUp = await npmRun('backup', [join(badDir, 'empty.tar.gz')], dataDir);
  t.not(nothingToBackUp.code, 0);
  t.match(nothingToBackUp.stderr, `DATA_DIR ${dataDir} holds no database to back up`, 'an empty DATA_DIR');
  t.same((await readdir(badDir)).sort(), files, 'none of them writes anything');
}

t.test(
  'PostgreSQL: pg_dump -Fc and pg_restore into a second database keep the data and a verifiable chain',
  { skip: onServer ? false : 'needs a PostgreSQL server (TEST_DATABASE_URL)' },
  async (t) => {
    const source = await createTestDatabase();
    t.teardown(() => source.drop());
    // A second database already migrated, as a staging copy would be: --clean replaces what it holds.
    const target = await createTestDatabase();
    t.teardown(() => target.drop());
    const dir = await mkdtemp(join(tmpdir(), 'wedid-pg-backup-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const dump = join(dir, 'wedid.dump');

    const original = stopAtEnd(t, await startService({ ...serviceEnv, DATABASE_URL: source.url as string }));
    const written = await writeThroughTheApi(t, original);
    // pg_dump reads one snapshot: the service may keep running.
    const dumped = await runToEnd('pg_dump', ['-Fc', '-d', source.url as string, '-f', dump], {}, 120_000);
    t.equal(dumped.code, 0, 'pg_dump -Fc', { stderr: dumped.stderr });
    const restored = await runToEnd(
      'pg_restore',
      ['--clean', '--if-exists', '--no-owner', '-d', target.url as string, dump],
      {},
      120_000,
    );
    t.equal(restored.code, 0, 'pg_restore --clean --if-exists --no-owner', { stderr: restored.stderr });

    const service = stopAtEnd(t, await startService({ ...serviceEnv, DATABASE_URL: target.url as string }));
    await checkRestored(t, service, written);
  },
);
