import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openDatabase } from '../src/db/client.js';
import type { Exec } from './seed.js';

export const repoRoot = resolve(import.meta.dirname, '..');
export const migrationsFolder = resolve(repoRoot, 'migrations');

/** One measurement of one path, as the load generator saw it. */
export interface LoadResult {
  /** Requests answered per second (2xx and 304 alike). */
  rps: number;
  /** Items written per second, for intake paths. */
  itemsPerSecond?: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  /** Timeouts, connection errors and answers other than the expected status. */
  errors: number;
  statusCodes: Record<string, number>;
  durationSeconds: number;
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array | number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A database on the server of `serverUrl`, created afresh (dropped first if it exists) and migrated. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
    await admin.query(`create database ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString() });
  try {
    await handle.migrate(migrationsFolder);
  } finally {
    await handle.close();
  }
  return url.toString();
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  } finally {
    await admin.end();
  }
}

/** Runs `work` with one PostgreSQL session (seeding needs one: temp tables, session settings). */
export async function withPostgres<T>(url: string, work: (exec: Exec, client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(async (statement) => (await client.query(statement)).rows, client);
  } finally {
    await client.end();
  }
}

/** Runs `work` with PGlite on a data directory, migrated first. */
export async function withPglite<T>(dataDir: string, work: (exec: Exec) => Promise<T>): Promise<T> {
  const client = new PGlite(dataDir);
  await client.waitReady;
  try {
    const handle = await openDatabase({ pglite: client });
    await handle.migrate(migrationsFolder);
    return await work(async (statement) => (await client.query<Record<string, unknown>>(statement)).rows);
  } finally {
    await client.close();
  }
}

export interface RunningService {
  child: ChildProcess;
  baseUrl: string;
  /** Milliseconds from spawn to the first 200 from /health/ready. */
  startupMs: number;
  stop(): Promise<void>;
  output(): string;
}

/**
 * What `npm start` runs, once `npm run build` has compiled it: the node flags and entry of its script
 * in package.json (read from there, so the bench measures what users start; the Dockerfile's CMD
 * repeats them).
 */
export const serviceEntry = startArguments();

function startArguments(): string[] {
  const { start } = (
    JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts;
  const [command, ...args] = start.trim().split(/\s+/);
  if (command !== 'node') throw new Error(`npm start runs "${start}", not node: the bench cannot start it`);
  return args;
}

/** Starts the service the way users run it (`npm start`'s node command) and waits until it is ready. */
export async function startService(env: Record<string, string>, port: number): Promise<RunningService> {
  const started = performance.now();
  const child = spawn(process.execPath, serviceEntry, {
    cwd: repoRoot,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited during start-up:\n${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service was not ready within 120 s:\n${log}`);
    }
    const ok = await fetch(`${baseUrl}/health/ready`)
      .then((response) => response.status === 200)
      .catch(() => false);
    if (ok) break;
    await sleep(25);
  }
  const startupMs = performance.now() - started;
  return {
    child,
    baseUrl,
    startupMs,
    output: () => log,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The process's peak resident memory (VmHWM) in MB since start or since the last `resetPeakMemory`;
 * undefined where /proc is not there.
 */
export async function peakMemoryMb(pid: number | undefined): Promise<number | undefined> {
  if (!pid) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? round(Number(match[1]) / 1024, 1) : undefined;
  } catch {
    return undefined;
  }
}

/** Resets VmHWM to the current RSS (Linux: write 5 to clear_refs), so each measurement gets its own peak. */
export async function resetPeakMemory(pid: number | undefined): Promise<boolean> {
  if (!pid) return false;
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** A JSON request to the service; throws unless the status is the one expected. */
export async function api<T>(
  baseUrl: string,
  path: string,
  options: { method?: string; key?: string; body?: unknown; expect?: number } = {},
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  if (response.status !== (options.expect ?? 200)) {
    throw new Error(`${options.method ?? 'GET'} ${path}: ${response.status} ${text.slice(0, 500)}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}
