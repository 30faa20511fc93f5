/**
 * Measuring: each size seeded in a fresh database, the service started on it, every hot path loaded
 * from the load worker and compared with its ceiling from the ceilings worker.
 */
import { fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import type { FeedbackBodies } from './bodies.js';
import type { CapturedRoute, DatabaseCeiling } from './ceilings.js';
import {
  api,
  createDatabase,
  dropDatabase,
  type LoadResult,
  peakMemoryMb,
  type RunningService,
  repoRoot,
  resetPeakMemory,
  round,
  startService,
  withPglite,
  withPostgres,
} from './lib.js';
import type { Scenario } from './load.js';
import {
  batchConnections,
  batchSize,
  embeddedBatchSize,
  intakeConnections,
  listConnections,
  log,
  measureSeconds,
  options,
  readConnections,
  reportRequests,
  serverUrl,
  sizeLabels,
  warmSeconds,
} from './options.js';
import { seedStatements, verifySample, wardCode } from './seed.js';

const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
const serviceEnv = {
  ADMIN_API_KEY: adminKey,
  LOG_LEVEL: 'warn',
  // Lifted the way a deployment would: per-key and per-address limits are for abuse, not for load tests.
  RATE_LIMIT_PER_KEY_PER_MINUTE: '100000000',
  BOARD_RATE_LIMIT_PER_MINUTE: '100000000',
};

/** The seed's pg_temp.id(name): an md5 with a v4 uuid's version and variant bits. */
const md5Uuid = (text: string) => {
  const hex = createHash('md5').update(text).digest('hex');
  const v4 = `${hex.slice(0, 12)}4${hex.slice(13, 16)}8${hex.slice(17)}`;
  return v4.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
};
const wardId = (n: number) => md5Uuid(`bench-ward-${n}`);
const siteId = (n: number) => md5Uuid(`bench-site-${n}`);
const themeCodes = ['food', 'activities', 'environment', 'staff_attitude', 'communication', 'medication', 'safety'];
const wardIds = Array.from({ length: 100 }, (_, index) => wardId(index + 1));

/** A child process answering `{ id, ... }` messages with `{ id, result | error }`. */
export async function worker(file: string) {
  const child = fork(resolve(repoRoot, 'bench', file), [], {
    execArgv: ['--import', 'tsx'],
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((ready, fail) => {
    child.once('message', () => ready());
    child.once('exit', (code) => fail(new Error(`${file} exited (${code}) before it was ready`)));
  });
  let next = 0;
  const pending = new Map<number, { done: (value: unknown) => void; fail: (error: Error) => void }>();
  child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.fail(new Error(message.error));
    else waiter.done(message.result);
  });
  return {
    pid: child.pid,
    call<T>(message: Record<string, unknown>): Promise<T> {
      const id = ++next;
      return new Promise<T>((done, fail) => {
        pending.set(id, { done: done as (value: unknown) => void, fail });
        child.send({ id, ...message });
      });
    },
    stop() {
      child.kill('SIGTERM');
    },
  };
}

type Worker = Awaited<ReturnType<typeof worker>>;

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export interface PathResult extends LoadResult {
  /** The ceiling this path is compared with, and the path's share of it (rps, or items/s for intake). */
  ceiling?: string;
  ratio?: number | null;
  peakMemoryMb?: number | undefined;
  note?: string;
}

/** What one run of the service on a seeded database measured. */
interface Measured {
  items: number;
  seedSeconds: number;
  startupMs: number;
  paths: Record<string, PathResult>;
  ceilings: Record<string, PathResult>;
  peakMemoryMb: number | undefined;
}

export interface SizeResult extends Measured {
  verifiedSample: number;
}

export interface EmbeddedResult extends Measured {
  startupFreshMs: number;
}

function describe(name: string, result: PathResult): string {
  const rate = result.itemsPerSecond !== undefined ? `${result.itemsPerSecond} items/s` : `${result.rps} req/s`;
  const ratio = result.ratio != null ? `  ${Math.round(result.ratio * 100)}% of ${result.ceiling}` : '';
  const memory = result.peakMemoryMb !== undefined ? `  peak ${result.peakMemoryMb} MB` : '';
  return `${name.padEnd(28)} ${rate.padStart(18)}  p50 ${result.p50} ms  p99 ${result.p99} ms  errors ${result.errors}${ratio}${memory}`;
}

/** Unrecorded warm-up, then the measurement, with the service's own peak memory during it. */
async function measure(
  load: Worker,
  name: string,
  scenario: Scenario,
  service?: RunningService,
  warm = true,
): Promise<PathResult> {
  const pid = service?.child.pid;
  if (warm) await load.call({ scenario: { ...scenario, durationSeconds: warmSeconds } });
  await resetPeakMemory(pid);
  const result: PathResult = await load.call<LoadResult>({ scenario });
  if (service) reportServerErrors(name, result, service);
  return { ...result, peakMemoryMb: await peakMemoryMb(pid) };
}

/** Server errors are bugs, not load: show what the service logged about them. */
function reportServerErrors(name: string, result: PathResult, service: RunningService): void {
  if (Object.keys(result.statusCodes).some((status) => status.startsWith('5'))) {
    log(`${name}: the service answered 5xx; the end of its log:\n${service.output().slice(-1200)}`);
  }
}

const dynamicHeaders = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** The service's answers on a path, 200 and 304, to be replayed by the bare server. */
async function capture(baseUrl: string, path: string): Promise<CapturedRoute> {
  const headersOf = (response: Response) =>
    Object.fromEntries([...response.headers].filter(([name]) => !dynamicHeaders.has(name)));
  const ok = await fetch(`${baseUrl}${path}`);
  if (ok.status !== 200) throw new Error(`GET ${path}: ${ok.status}`);
  const body = await ok.text();
  const etag = ok.headers.get('etag') ?? '';
  const notModified = await fetch(`${baseUrl}${path}`, { headers: { 'if-none-match': etag } });
  if (notModified.status !== 304) throw new Error(`GET ${path} with If-None-Match: ${notModified.status}`);
  return { path, etag, ok: { headers: headersOf(ok), body }, notModified: { headers: headersOf(notModified) } };
}

async function createKeys(baseUrl: string) {
  const key = async (role: string) =>
    (
      await api<{ key: string }>(baseUrl, '/v1/api-keys', {
        method: 'POST',
        key: adminKey,
        body: { name: `bench ${role}`, role },
        expect: 201,
      })
    ).key;
  return { intake: await key('intake'), staff: await key('staff'), auditor: await key('auditor') };
}

const withRatio = (result: PathResult, ceiling: PathResult | undefined, name: string, items = false): PathResult => {
  const own = items ? result.itemsPerSecond : result.rps;
  const theirs = items ? ceiling?.itemsPerSecond : ceiling?.rps;
  return { ...result, ceiling: name, ratio: own !== undefined && theirs ? round(own / theirs, 3) : null };
};

/** The board paths against the service and against the bare server replaying its bytes, interleaved. */
async function measureBoards(
  load: Worker,
  ceilings: Worker,
  service: RunningService,
  paths: Record<string, PathResult>,
  ceilingResults: Record<string, PathResult>,
  reuseCeilings?: Record<string, PathResult>,
): Promise<void> {
  const boardPath = `/v1/units/${wardId(1)}/board`;
  const pagePath = `/boards/${wardCode(1)}`;
  const routes = [await capture(service.baseUrl, boardPath), await capture(service.baseUrl, pagePath)];
  const [board] = routes as [CapturedRoute, CapturedRoute];
  const { port } = reuseCeilings ? { port: 0 } : await ceilings.call<{ port: number }>({ serve: routes });
  const cases: [name: string, path: string, headers: Record<string, string>, expect: number][] = [
    ['board.json.200', boardPath, {}, 200],
    ['board.json.304', boardPath, { 'if-none-match': board.etag }, 304],
    ['board.html', pagePath, {}, 200],
  ];
  for (const [name, path, headers, expect] of cases) {
    const scenario = (base: string): Scenario => ({
      url: `${base}${path}`,
      headers,
      connections: readConnections,
      durationSeconds: measureSeconds,
      expect: [expect],
    });
    const measured = await measure(load, name, scenario(service.baseUrl), service);
    let ceiling = reuseCeilings?.[`http.${name}`];
    if (!reuseCeilings) {
      ceiling = await measure(load, `http.${name}`, scenario(`http://127.0.0.1:${port}`));
      ceilingResults[`http.${name}`] = ceiling;
      log(describe(`ceiling http.${name}`, ceiling));
    }
    paths[name] = withRatio(measured, ceiling, `http.${name}`);
    log(describe(name, paths[name]));
  }
  if (!reuseCeilings) await ceilings.call({ stopServing: true });
}

/** POST /v1/feedback and the batch route, each against the same insert straight into the database. */
async function measureIntake(
  load: Worker,
  ceilings: Worker,
  service: RunningService,
  keys: { intake: string },
  target: DatabaseCeiling['target'],
  paths: Record<string, PathResult>,
  ceilingResults: Record<string, PathResult>,
  itemsPerBatch: number,
): Promise<void> {
  const bodies: FeedbackBodies = { unitIds: wardIds, themes: themeCodes };
  const intake = { authorization: `Bearer ${keys.intake}` };
  const single = await measure(
    load,
    'feedback.create',
    {
      url: `${service.baseUrl}/v1/feedback`,
      method: 'POST',
      headers: intake,
      feedback: bodies,
      connections: intakeConnections,
      durationSeconds: measureSeconds,
      expect: [201],
    },
    service,
  );
  const insert = await ceilings.call<LoadResult>({
    database: { target, connections: intakeConnections, durationSeconds: measureSeconds, bodies },
  });
  ceilingResults['db.insert'] = insert;
  log(describe('ceiling db.insert', insert));
  paths['feedback.create'] = withRatio(single, insert, 'db.insert', true);
  log(describe('feedback.create', paths['feedback.create']));

  // The batch route is new: measured when the service has it.
  const probe = await fetch(`${service.baseUrl}/v1/feedback/batch`, {
    method: 'POST',
    headers: { ...intake, 'content-type': 'application/json', 'idempotency-key': randomBytes(8).toString('hex') },
    body: JSON.stringify({ items: [] }),
  });
  if (probe.status === 404) {
    log('feedback.batch: POST /v1/feedback/batch answers 404, not available in this build');
    paths['feedback.batch'] = {
      ...emptyResult(),
      note: 'not available: POST /v1/feedback/batch answered 404',
    };
    return;
  }
  const batchBodies = { ...bodies, batchSize: itemsPerBatch };
  const batch = await measure(
    load,
    'feedback.batch',
    {
      url: `${service.baseUrl}/v1/feedback/batch`,
      method: 'POST',
      headers: intake,
      feedback: batchBodies,
      connections: batchConnections,
      durationSeconds: measureSeconds,
      expect: [200],
      timeoutSeconds: 60,
    },
    service,
  );
  const batchInsert = await ceilings.call<LoadResult>({
    database: { target, connections: batchConnections, durationSeconds: measureSeconds, bodies: batchBodies },
  });
  ceilingResults['db.batch-insert'] = batchInsert;
  log(describe('ceiling db.batch-insert', batchInsert));
  paths['feedback.batch'] = withRatio(batch, batchInsert, 'db.batch-insert', true);
  log(describe('feedback.batch', paths['feedback.batch']));
}

function emptyResult(): LoadResult {
  return {
    rps: 0,
    p50: Number.NaN,
    p99: Number.NaN,
    max: Number.NaN,
    requests: 0,
    errors: 0,
    statusCodes: {},
    durationSeconds: 0,
  };
}

async function measureReads(
  load: Worker,
  service: RunningService,
  keys: { staff: string; auditor: string },
  paths: Record<string, PathResult>,
  seededAt: Date,
): Promise<void> {
  const lists: [name: string, rotate: string[]][] = [
    // What ward managers' and governance leads' screens ask for, in turn.
    [
      'feedback.list',
      [
        `/v1/feedback?unitId=${siteId(1)}&status=in_review&limit=50`,
        `/v1/feedback?unitId=${wardId(7)}&limit=50`,
        `/v1/feedback?kind=complaint&theme=food&limit=50`,
      ],
    ],
    // Apart, because it is the filter an index serves least naturally.
    ['feedback.list.overdue', [`/v1/feedback?unitId=${siteId(2)}&overdue=true&limit=50`]],
  ];
  for (const [name, rotate] of lists) {
    const list = await measure(
      load,
      name,
      {
        url: `${service.baseUrl}/v1/feedback`,
        headers: { authorization: `Bearer ${keys.staff}` },
        rotate,
        connections: listConnections,
        durationSeconds: measureSeconds,
        expect: [200],
      },
      service,
    );
    paths[name] = list;
    log(describe(name, list));
  }
  await measureReports(load, service, keys, paths, seededAt);
}

/**
 * Every report over the whole trust, one auditor at a time (the latency is the report's own cost):
 * closure by unit and by month, now and as it stood 30 days before the seed's end, and the FFT,
 * recommendation and equity reports.
 */
async function measureReports(
  load: Worker,
  service: RunningService,
  keys: { auditor: string },
  paths: Record<string, PathResult>,
  seededAt: Date,
): Promise<void> {
  const asOf30 = new Date(seededAt.getTime() - 30 * 86_400_000).toISOString();
  const reports: [name: string, path: string][] = [
    ['report.closure.unit', '/v1/reports/closure?groupBy=unit'],
    ['report.closure.month', '/v1/reports/closure?groupBy=month'],
    ['report.closure.unit.asOf30', `/v1/reports/closure?groupBy=unit&asOf=${asOf30}`],
    ['report.closure.month.asOf30', `/v1/reports/closure?groupBy=month&asOf=${asOf30}`],
    ['report.fft', '/v1/reports/fft?groupBy=unit'],
    ['report.recommendations', '/v1/reports/recommendations?groupBy=unit'],
    ['report.equity', '/v1/reports/equity?characteristic=ageBand'],
  ];
  for (const [name, path] of reports) {
    const report = await measure(
      load,
      name,
      {
        url: `${service.baseUrl}${path}`,
        headers: { authorization: `Bearer ${keys.auditor}` },
        connections: 1,
        durationSeconds: 600,
        amount: reportRequests,
        expect: [200],
        timeoutSeconds: 60,
      },
      service,
      // A warm-up request cut short would still be running in PostgreSQL during the measurement.
      false,
    );
    paths[name] = report;
    log(describe(name, report));
  }
}

const maxPeak = (paths: Record<string, PathResult>) => {
  const peaks = Object.values(paths)
    .map((path) => path.peakMemoryMb)
    .filter((peak): peak is number => peak !== undefined);
  return peaks.length > 0 ? Math.max(...peaks) : undefined;
};
export async function runPostgresSize(label: string, load: Worker, ceilings: Worker): Promise<SizeResult> {
  const items = sizeLabels[label]!;
  // BENCH_DATABASE_PREFIX keeps runs from several checkouts on one server apart.
  const name = `${process.env.BENCH_DATABASE_PREFIX || 'wedid_bench_'}${label.toLowerCase()}`;
  log(`${label}: creating database ${name}`);
  const url = await createDatabase(serverUrl, name);
  try {
    const seedStarted = performance.now();
    const seededAt = new Date();
    const verifiedSample = await withPostgres(url, async (exec) => {
      for (const statement of seedStatements(items, seededAt)) await exec(statement);
      return verifySample(exec);
    });
    const seedSeconds = round((performance.now() - seedStarted) / 1000, 1);
    log(`${label}: seeded ${items} items in ${seedSeconds} s (invariants checked on ${verifiedSample} items)`);
    const service = await startService({ ...serviceEnv, DATABASE_URL: url }, await freePort());
    log(`${label}: service ready in ${Math.round(service.startupMs)} ms`);
    const paths: Record<string, PathResult> = {};
    const ceilingResults: Record<string, PathResult> = {};
    try {
      const keys = await createKeys(service.baseUrl);
      // Reads first, so the writes measured later do not change what is read.
      await measureBoards(load, ceilings, service, paths, ceilingResults);
      await measureReads(load, service, keys, paths, seededAt);
      await measureIntake(load, ceilings, service, keys, { url }, paths, ceilingResults, batchSize);
    } finally {
      await service.stop();
    }
    return {
      items,
      seedSeconds,
      verifiedSample,
      startupMs: Math.round(service.startupMs),
      paths,
      ceilings: ceilingResults,
      peakMemoryMb: maxPeak(paths),
    };
  } finally {
    if (!options.keep) await dropDatabase(serverUrl, name);
  }
}

export async function runEmbedded(
  load: Worker,
  ceilings: Worker,
  httpCeilings: Record<string, PathResult>,
): Promise<EmbeddedResult> {
  const items = 10_000;
  const dataDir = await mkdtemp(join(os.tmpdir(), 'wedid-bench-pglite-'));
  const ceilingDir = `${dataDir}-ceiling`;
  const env = { ...serviceEnv, DATABASE_URL: '', DATA_DIR: dataDir };
  try {
    // First start on an empty data directory: creates the database and migrates it.
    const fresh = await startService(env, await freePort());
    await fresh.stop();
    log(`embedded: first start (empty data directory) ready in ${Math.round(fresh.startupMs)} ms`);
    const seedStarted = performance.now();
    await withPglite(dataDir, async (exec) => {
      for (const statement of seedStatements(items, new Date())) await exec(statement);
      await verifySample(exec, 500);
    });
    const seedSeconds = round((performance.now() - seedStarted) / 1000, 1);
    log(`embedded: seeded ${items} items in ${seedSeconds} s`);
    await cp(dataDir, ceilingDir, { recursive: true });
    const service = await startService(env, await freePort());
    log(`embedded: service ready in ${Math.round(service.startupMs)} ms`);
    const paths: Record<string, PathResult> = {};
    const ceilingResults: Record<string, PathResult> = {};
    try {
      const keys = await createKeys(service.baseUrl);
      await measureBoards(load, ceilings, service, paths, ceilingResults, httpCeilings);
      await measureIntake(
        load,
        ceilings,
        service,
        keys,
        { dataDir: ceilingDir },
        paths,
        ceilingResults,
        embeddedBatchSize,
      );
    } finally {
      await service.stop();
    }
    return {
      items,
      seedSeconds,
      startupFreshMs: Math.round(fresh.startupMs),
      startupMs: Math.round(service.startupMs),
      paths,
      ceilings: ceilingResults,
      peakMemoryMb: maxPeak(paths),
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await rm(ceilingDir, { recursive: true, force: true });
  }
}
