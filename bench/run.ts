/**
 * `npm run bench`: seeds a realistic trust at 10k, 100k and 1M items in fresh PostgreSQL databases,
 * starts the service as users run it, loads every hot path from a second process with autocannon,
 * measures the HTTP and database ceilings in the same run, and writes bench/results.json and the
 * generated part of docs/benchmarks.md. Each path is printed as a ratio of its ceiling, so figures
 * taken on a busy machine stay comparable.
 *
 *   npm run bench                       10k, 100k and 1M, then the embedded mode
 *   npm run bench -- --quick            10k only, short measurements (under 2 minutes)
 *   npm run bench -- --sizes=10k,100k   chosen sizes
 *   npm run bench -- --keep             keep the wedid_bench_<size> databases afterwards
 *   npm run bench -- --no-embedded      skip the embedded (PGlite) mode
 *   npm run bench -- --built            run `npm run build`, then the service as the container does
 *                                       (`node dist/server.js`) instead of `npm start` (tsx)
 *
 * BENCH_DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
 * one database per size is created on it and dropped afterwards.
 */
import { execFileSync, fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import type { FeedbackBodies } from './bodies.js';
import type { CapturedRoute, DatabaseCeiling } from './ceilings.js';
import {
  api,
  builtEntry,
  createDatabase,
  dropDatabase,
  type LoadResult,
  peakMemoryMb,
  type RunningService,
  repoRoot,
  resetPeakMemory,
  round,
  sourceEntry,
  startService,
  withPglite,
  withPostgres,
} from './lib.js';
import type { Scenario } from './load.js';
import { seedStatements, verifySample, wardCode } from './seed.js';

const sizeLabels: Record<string, number> = { '10k': 10_000, '100k': 100_000, '1M': 1_000_000 };

interface Options {
  quick: boolean;
  sizes: string[];
  keep: boolean;
  embedded: boolean;
  built: boolean;
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const sizesArg = argv.find((arg) => arg.startsWith('--sizes='))?.slice('--sizes='.length);
  const sizes = sizesArg ? sizesArg.split(',').map((size) => size.trim()) : quick ? ['10k'] : ['10k', '100k', '1M'];
  for (const size of sizes) {
    if (!(size in sizeLabels)) throw new Error(`unknown size ${size}: use ${Object.keys(sizeLabels).join(', ')}`);
  }
  return {
    quick,
    sizes,
    keep: argv.includes('--keep'),
    embedded: !argv.includes('--no-embedded'),
    built: argv.includes('--built'),
  };
}

const options = parseOptions(process.argv.slice(2));
const entry = options.built ? builtEntry : sourceEntry;
// Seconds of load per measurement, and of unrecorded warm-up before it.
const measureSeconds = options.quick ? 3 : 8;
const warmSeconds = options.quick ? 1 : 2;
// Reports are slow at 1M items: a fixed number of requests, one after another, so none is left
// running into the next measurement.
const reportRequests = options.quick ? 3 : 5;
const readConnections = 10;
// A handful of staff paging through lists at once; boards are what many screens poll.
const listConnections = 4;
const intakeConnections = 10;
const batchConnections = 4;
const batchSize = 500;
// PGlite runs in the service's own thread: a 500-item batch blocks the event loop for over a second
// and is shed (503) by design, so the embedded mode is measured with the batches a trial would send.
const embeddedBatchSize = 100;

const serverUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
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
async function worker(file: string) {
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

interface SizeResult {
  items: number;
  seedSeconds: number;
  verifiedSample: number;
  startupMs: number;
  paths: Record<string, PathResult>;
  ceilings: Record<string, PathResult>;
  peakMemoryMb: number | undefined;
}

interface EmbeddedResult {
  items: number;
  seedSeconds: number;
  startupFreshMs: number;
  startupMs: number;
  paths: Record<string, PathResult>;
  ceilings: Record<string, PathResult>;
  peakMemoryMb: number | undefined;
}

const log = (message: string) => console.log(`[bench] ${message}`);

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
  for (const groupBy of ['unit', 'month']) {
    const name = `report.closure.${groupBy}`;
    const report = await measure(
      load,
      name,
      {
        url: `${service.baseUrl}/v1/reports/closure?groupBy=${groupBy}`,
        headers: { authorization: `Bearer ${keys.auditor}` },
        // One auditor at a time: the latency is the report's own cost.
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

async function runPostgresSize(label: string, load: Worker, ceilings: Worker): Promise<SizeResult> {
  const items = sizeLabels[label]!;
  const name = `wedid_bench_${label.toLowerCase()}`;
  log(`${label}: creating database ${name}`);
  const url = await createDatabase(serverUrl, name);
  try {
    const seedStarted = performance.now();
    const verifiedSample = await withPostgres(url, async (exec) => {
      for (const statement of seedStatements(items, new Date())) await exec(statement);
      return verifySample(exec);
    });
    const seedSeconds = round((performance.now() - seedStarted) / 1000, 1);
    log(`${label}: seeded ${items} items in ${seedSeconds} s (invariants checked on ${verifiedSample} items)`);
    const service = await startService({ ...serviceEnv, DATABASE_URL: url }, await freePort(), entry);
    log(`${label}: service ready in ${Math.round(service.startupMs)} ms`);
    const paths: Record<string, PathResult> = {};
    const ceilingResults: Record<string, PathResult> = {};
    try {
      const keys = await createKeys(service.baseUrl);
      // Reads first, so the writes measured later do not change what is read.
      await measureBoards(load, ceilings, service, paths, ceilingResults);
      await measureReads(load, service, keys, paths);
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

async function runEmbedded(
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
    const fresh = await startService(env, await freePort(), entry);
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
    const service = await startService(env, await freePort(), entry);
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

/** The lint step checks bench/results.json too: write it as the formatter would. */
function formatLikeTheRepository(path: string): void {
  try {
    execFileSync(resolve(repoRoot, 'node_modules', '.bin', 'biome'), ['format', '--write', path], { stdio: 'ignore' });
  } catch {
    log('could not run biome format on bench/results.json; run npm run lint:fix before committing it');
  }
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

async function packageVersion(name: string): Promise<string> {
  try {
    const text = await readFile(resolve(repoRoot, 'node_modules', name, 'package.json'), 'utf8');
    return (JSON.parse(text) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function machine() {
  const postgres = await withPostgres(serverUrl, async (exec) => {
    const [row] = await exec('show server_version');
    return String(row?.server_version ?? 'unknown');
  });
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    os: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((value) => round(value, 2)),
    loadAverageAtEnd: [] as number[],
    node: process.version,
    postgres,
    pglite: await packageVersion('@electric-sql/pglite'),
    fastify: await packageVersion('fastify'),
    autocannon: await packageVersion('autocannon'),
  };
}

interface Target {
  target: string;
  figure: string;
  met: boolean | null;
}

/** A latency under a limit; a path with no answer at all (NaN, or null after IPC) is not. */
const below = (value: number | null, limit: number) => typeof value === 'number' && value < limit;

function targets(sizes: Record<string, SizeResult>): Target[] {
  const largest = Object.entries(sizes).at(-1);
  const results: Target[] = [];
  if (!largest) return results;
  const [label, size] = largest;
  const at = `(${label})`;
  const percent = (ratio: number | null | undefined) => (ratio == null ? 'n/a' : `${Math.round(ratio * 100)}%`);
  for (const name of ['board.json.200', 'board.json.304']) {
    const path = size.paths[name];
    if (!path) continue;
    results.push({
      target: `${name}: ≥ 80% of the bare Fastify ceiling ${at}`,
      figure: percent(path.ratio),
      met: path.ratio == null ? null : path.ratio >= 0.8,
    });
    results.push({ target: `${name}: p99 < 10 ms ${at}`, figure: `${path.p99} ms`, met: below(path.p99, 10) });
  }
  const create = size.paths['feedback.create'];
  if (create) {
    results.push({
      target: `POST /v1/feedback ≥ 1,500 items/s ${at}`,
      figure: `${create.itemsPerSecond} items/s`,
      met: (create.itemsPerSecond ?? 0) >= 1500,
    });
  }
  const batch = size.paths['feedback.batch'];
  if (batch) {
    results.push({
      target: `POST /v1/feedback/batch ≥ 10,000 items/s ${at}`,
      figure: batch.note ?? `${batch.itemsPerSecond} items/s`,
      met: batch.note ? null : (batch.itemsPerSecond ?? 0) >= 10_000,
    });
  }
  for (const name of ['report.closure.unit', 'report.closure.month']) {
    const path = size.paths[name];
    if (!path) continue;
    results.push({
      target: `${name} over the whole trust < 500 ms ${at}`,
      figure: `p50 ${path.p50} ms, p99 ${path.p99} ms`,
      met: below(path.p50, 500),
    });
  }
  for (const name of ['feedback.list', 'feedback.list.overdue']) {
    const list = size.paths[name];
    if (!list) continue;
    results.push({ target: `${name}: a page p99 < 20 ms ${at}`, figure: `${list.p99} ms`, met: below(list.p99, 20) });
  }
  const peaks = Object.values(sizes)
    .map((result) => result.peakMemoryMb)
    .filter((peak): peak is number => peak !== undefined);
  if (peaks.length > 0) {
    const peak = Math.max(...peaks);
    results.push({
      target: 'Peak memory under load < 250 MB (PostgreSQL mode)',
      figure: `${peak} MB`,
      met: peak < 250,
    });
  }
  return results;
}

const cell = (value: number | string | null | undefined, suffix = '') =>
  value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))
    ? '–'
    : `${value}${suffix}`;

function pathTable(paths: Record<string, PathResult>): string[] {
  const lines = [
    '| path | req/s | items/s | p50 ms | p99 ms | errors | share of ceiling | peak MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const [name, path] of Object.entries(paths)) {
    if (path.note) {
      lines.push(`| ${name} | ${path.note} | | | | | | |`);
      continue;
    }
    const share = path.ratio != null ? `${Math.round(path.ratio * 100)}% of ${path.ceiling}` : '–';
    lines.push(
      `| ${name} | ${cell(path.rps)} | ${cell(path.itemsPerSecond)} | ${cell(path.p50)} | ${cell(path.p99)} | ${path.errors} | ${share} | ${cell(path.peakMemoryMb)} |`,
    );
  }
  return lines;
}

function ceilingTable(ceilings: Record<string, PathResult>): string[] {
  const lines = [
    '| ceiling | req/s | items/s | p50 ms | p99 ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [name, path] of Object.entries(ceilings)) {
    lines.push(
      `| ${name} | ${cell(path.rps)} | ${cell(path.itemsPerSecond)} | ${cell(path.p50)} | ${cell(path.p99)} | ${path.errors} |`,
    );
  }
  return lines;
}

const beginMarker = '<!-- bench:begin (generated by npm run bench; edit outside these markers) -->';
const endMarker = '<!-- bench:end -->';

function generatedSection(results: Results): string {
  const m = results.machine;
  const lines = [
    beginMarker,
    `Run: ${results.date}, ${results.quick ? '**quick run** (10k only, short measurements)' : 'full run'}, git ${results.git.commit}${results.git.dirty ? ' (with uncommitted changes)' : ''}.`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}; load average (1/5/15 min) ${m.loadAverageAtStart.join(' / ')} at start, ${m.loadAverageAtEnd.join(' / ')} at the end (2 cores: above 2 means other work shared the machine).`,
    `Service started as \`${results.service}\`.`,
    `Versions: Node ${m.node}, PostgreSQL ${m.postgres}, PGlite ${m.pglite}, Fastify ${m.fastify}, autocannon ${m.autocannon}.`,
    '',
    `Reproduce: \`${results.command}\`. Each measurement: ${results.settings.measureSeconds} s of load after ${results.settings.warmSeconds} s of warm-up; ${results.settings.readConnections} connections for boards, ${results.settings.listConnections} for feedback lists, ${results.settings.intakeConnections} for POST /v1/feedback, ${results.settings.batchConnections} × ${results.settings.batchSize} items for the batch route, reports one at a time, ${results.settings.reportRequests} requests each.`,
    '',
    '### Targets',
    '',
    '| target | figure | met |',
    '| --- | --- | --- |',
    ...results.targets.map((t) => `| ${t.target} | ${t.figure} | ${t.met === null ? '–' : t.met ? 'yes' : '**no**'} |`),
    '',
  ];
  for (const [label, size] of Object.entries(results.sizes)) {
    lines.push(
      `### PostgreSQL, ${label} items`,
      '',
      `Seeded in ${size.seedSeconds} s; start-up to /health/ready ${size.startupMs} ms; peak memory under load ${cell(size.peakMemoryMb)} MB.`,
      '',
      ...pathTable(size.paths),
      '',
      ...ceilingTable(size.ceilings),
      '',
    );
  }
  const embedded = results.embedded;
  if (embedded) {
    lines.push(
      `### Embedded (PGlite, no DATABASE_URL), ${embedded.items.toLocaleString('en-GB')} items`,
      '',
      `Start-up to /health/ready: ${embedded.startupFreshMs} ms on an empty data directory (creates and migrates the database), ${embedded.startupMs} ms on an existing one; peak memory under load ${cell(embedded.peakMemoryMb)} MB. Board ratios are against the HTTP ceiling of the first PostgreSQL size; intake against inserts straight into PGlite; batches of ${results.settings.embeddedBatchSize} items.`,
      '',
      ...pathTable(embedded.paths),
      '',
      ...ceilingTable(embedded.ceilings),
      '',
    );
  }
  lines.push(endMarker);
  return lines.join('\n');
}

const docTemplate = (generated: string) => `# Benchmarks

\`npm run bench\` seeds a realistic trust (1 trust, 5 sites, 100 wards, a year of feedback, about 70%
closed) at 10k, 100k and 1M items, starts the service as users run it and loads each hot path from a
second process with autocannon. Ceilings are measured in the same run on the same machine, and each
path is given as a share of its ceiling, so results stay comparable on a busy machine.

## Results

${generated}

## Findings

(Written by hand after a full run.)
`;

async function writeDocs(results: Results): Promise<void> {
  const path = resolve(repoRoot, 'docs', 'benchmarks.md');
  const generated = generatedSection(results);
  let existing: string | undefined;
  try {
    existing = await readFile(path, 'utf8');
  } catch {
    existing = undefined;
  }
  const begin = existing?.indexOf(beginMarker) ?? -1;
  const end = existing?.indexOf(endMarker) ?? -1;
  const text =
    existing && begin >= 0 && end > begin
      ? existing.slice(0, begin) + generated + existing.slice(end + endMarker.length)
      : docTemplate(generated);
  await writeFile(path, text);
}

interface Results {
  date: string;
  command: string;
  quick: boolean;
  /** How the service was started. */
  service: string;
  git: { commit: string; dirty: boolean };
  machine: Awaited<ReturnType<typeof machine>>;
  settings: Record<string, number>;
  sizes: Record<string, SizeResult>;
  embedded?: EmbeddedResult;
  targets: Target[];
  totalSeconds: number;
}

async function main(): Promise<void> {
  const started = performance.now();
  if (options.built) {
    log('building (npm run build) to run dist/server.js');
    execFileSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  }
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const results: Results = {
    date: new Date().toISOString(),
    command,
    quick: options.quick,
    service: `node ${entry.join(' ')}`,
    git: { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain') !== '' },
    machine: await machine(),
    settings: {
      measureSeconds,
      warmSeconds,
      reportRequests,
      readConnections,
      listConnections,
      intakeConnections,
      batchConnections,
      batchSize,
      embeddedBatchSize,
    },
    sizes: {},
    targets: [],
    totalSeconds: 0,
  };
  log(
    `${results.machine.cpu}, ${results.machine.cores} cores; load average ${results.machine.loadAverageAtStart.join(' ')}`,
  );
  const load = await worker('load.ts');
  const ceilings = await worker('ceilings.ts');
  try {
    for (const label of options.sizes) results.sizes[label] = await runPostgresSize(label, load, ceilings);
    if (options.embedded) {
      const first = Object.values(results.sizes)[0];
      results.embedded = await runEmbedded(load, ceilings, first?.ceilings ?? {});
    }
  } finally {
    load.stop();
    ceilings.stop();
  }
  results.machine.loadAverageAtEnd = os.loadavg().map((value) => round(value, 2));
  results.targets = targets(results.sizes);
  results.totalSeconds = round((performance.now() - started) / 1000, 1);
  const resultsPath = resolve(repoRoot, 'bench', 'results.json');
  await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  formatLikeTheRepository(resultsPath);
  await writeDocs(results);
  log(`done in ${results.totalSeconds} s: bench/results.json and docs/benchmarks.md written`);
  for (const target of results.targets) {
    log(`${target.met === null ? '  -' : target.met ? ' ok' : 'MISS'} ${target.target}: ${target.figure}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
