import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { startService } from '../helpers/service-process.js';

const adminKey = 'server-test-admin-secret-0123456789';

/** The service as a user starts it: the real entry point on embedded PGlite, no DATABASE_URL. */
const start = (dataDir: string) => startService({ DATA_DIR: dataDir, ADMIN_API_KEY: adminKey, LOG_LEVEL: 'info' });

const api = (base: string, path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', ...init.headers },
  });

/** A POST whose body arrives in two parts, so the request is in flight while we signal. */
function slowPost(base: string, path: string, body: string) {
  const url = new URL(path, base);
  let sendRest: () => void = () => {};
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${adminKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    sendRest = () => req.end(body.slice(half));
  });
  return { response, sendRest: () => sendRest() };
}

t.test('npm start on PGlite: data survives a restart; SIGTERM and SIGINT close gracefully', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'wedid-server-'));
  const children: ChildProcess[] = [];
  t.teardown(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  // `npm run db:migrate` prepares the data directory the service then opens.
  const migrate = spawn(process.execPath, ['--import', 'tsx', 'src/db/migrate.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: join(dataDir, 'data') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let migrated = '';
  migrate.stdout.on('data', (chunk) => {
    migrated += chunk;
  });
  t.equal(await new Promise((resolve) => migrate.on('exit', resolve)), 0, 'db:migrate exits 0');
  t.match(migrated, /migrations applied \(pglite\)/);

  const first = await start(join(dataDir, 'data'));
  children.push(first.child);
  const created = await api(first.base, '/v1/units', {
    method: 'POST',
    body: JSON.stringify({ type: 'trust', code: 'PERSIST-1', name: 'Kept across restarts' }),
  });
  t.equal(created.status, 201, 'the bootstrap admin key works on a fresh install');
  t.match(first.output(), /"msg":"request"/, 'JSON log lines on stdout when not at a terminal');

  // SIGTERM while a request is still arriving: it is finished, then the process exits 0.
  const inFlight = slowPost(
    first.base,
    '/v1/units',
    JSON.stringify({ type: 'trust', code: 'IN-FLIGHT', name: 'Sent while shutting down' }),
  );
  await sleep(300);
  first.child.kill('SIGTERM');
  await sleep(300);
  t.equal(first.child.exitCode, null, 'it waits for the request in flight');
  inFlight.sendRest();
  const finished = await inFlight.response;
  t.equal(finished.status, 201, 'the request in flight was finished');
  t.equal(await first.exited, 0, 'SIGTERM: exit code 0');
  t.match(first.output(), /shutting down/);

  const second = await start(join(dataDir, 'data'));
  children.push(second.child);
  const list = await api(second.base, '/v1/units');
  t.equal(list.status, 200);
  const codes = ((await list.json()) as { items: { code: string }[] }).items.map((u) => u.code);
  t.same(codes.sort(), ['IN-FLIGHT', 'PERSIST-1'], 'both units are still there after a restart');
  second.child.kill('SIGINT');
  t.equal(await second.exited, 0, 'SIGINT: exit code 0');
});
