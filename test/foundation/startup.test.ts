import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createTestDatabase, onServer } from '../helpers/database.js';
import { freePort, type RunningService, runServiceToExit, startService } from '../helpers/service-process.js';

const adminKey = 'startup-test-admin-secret-0123456789';

async function tempDir(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'wedid-startup-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function stopAtEnd(t: Test, service: RunningService): RunningService {
  t.teardown(() => {
    if (service.child.exitCode === null) service.child.kill('SIGKILL');
  });
  return service;
}

t.test('one process per PGlite data directory', async (t) => {
  const dataDir = join(await tempDir(t), 'data');
  const env = { DATA_DIR: dataDir, ADMIN_API_KEY: adminKey, LOG_LEVEL: 'info' };
  const first = stopAtEnd(t, await startService(env));

  const second = await runServiceToExit({ ...env, PORT: String(await freePort()) });
  t.equal(second.code, 1, 'a second start on the same DATA_DIR exits 1');
  const lines = second.stderr.trimEnd().split('\n');
  t.equal(lines.length, 1, 'with one line');
  t.match(
    lines[0],
    `DATA_DIR ${dataDir} is in use by process ${first.child.pid}`,
    'naming the directory and the holder',
  );
  t.notMatch(second.stderr, /\bat \S+:\d+/, 'no stack trace');
  t.equal((await fetch(`${first.base}/health/ready`)).status, 200, 'the first goes on serving');

  // Killed without a chance to release: the lock goes stale and the next start takes it over.
  first.child.kill('SIGKILL');
  await first.exited;
  const third = stopAtEnd(t, await startService(env));
  t.equal((await fetch(`${third.base}/health/ready`)).status, 200, 'a start after kill -9 is not blocked');

  // A graceful stop releases the lock at once.
  third.child.kill('SIGTERM');
  t.equal(await third.exited, 0);
  t.notOk(existsSync(join(dataDir, 'wedid.lock')), 'the lock is gone after a clean shutdown');
  const fourth = stopAtEnd(t, await startService(env));
  t.equal((await fetch(`${fourth.base}/health/ready`)).status, 200);
  fourth.child.kill('SIGTERM');
  await fourth.exited;
});

t.test('a port already in use: one line naming it and PORT, exit code 1', async (t) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => taken.close(resolve)));
  const { port } = taken.address() as { port: number };
  const result = await runServiceToExit({
    DATA_DIR: join(await tempDir(t), 'data'),
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: 'warn',
    PORT: String(port),
  });
  t.equal(result.code, 1);
  const lines = result.stderr.trimEnd().split('\n');
  t.equal(lines.length, 1, result.stderr);
  t.match(lines[0], new RegExp(`^Port ${port} is already in use.*set PORT to a free port`));
  t.notMatch(result.stderr, /\bat \S+:\d+/, 'no stack trace');
});

t.test(
  'start-up logs the settings in effect once, without secrets',
  { skip: !onServer && 'needs PostgreSQL' },
  async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    const url = new URL(database.url!);
    url.password = 'db-password-never-logged';
    const service = stopAtEnd(
      t,
      await startService({
        DATABASE_URL: url.toString(),
        ADMIN_API_KEY: adminKey,
        LOG_LEVEL: 'info',
        BOARD_RATE_LIMIT_PER_MINUTE: '77',
      }),
    );
    service.child.kill('SIGTERM');
    await service.exited;
    const lines = service
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    const settings = lines.filter((line) => line.msg === 'settings in effect');
    t.equal(settings.length, 1, 'one line');
    t.match(settings[0].settings, {
      PORT: Number,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      BOARD_RATE_LIMIT_PER_MINUTE: 77,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: false,
      DATABASE_URL: /^postgres(ql)?:\/\/postgres:\*\*\*@/,
    });
    t.notOk('ADMIN_API_KEY' in settings[0].settings, 'the admin key is left out');
    t.notMatch(service.output(), adminKey, 'no secret anywhere in the log');
    t.notMatch(service.output(), 'db-password-never-logged');
  },
);
