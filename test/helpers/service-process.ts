import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end with only the environment given (plus PATH and HOME), in its own
 * process group: once it exits, or after `timeoutMs`, whatever it left running in the background
 * is killed too, so a failed script cannot leave a process holding a port.
 */
export function runToEnd(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<Finished> {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const killGroup = () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // the group has already gone
    }
  };
  const timer = setTimeout(killGroup, timeoutMs);
  let code: number | null = null;
  child.on('exit', (exitCode) => {
    code = exitCode;
    clearTimeout(timer);
    killGroup();
  });
  // 'close' comes once the output pipes are drained, including those background processes held.
  return new Promise((resolve) => child.on('close', () => resolve({ code, stdout, stderr })));
}

export interface RunningService {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<number | null>;
}

// The sources (`npm run dev`), not dist/: `npm start` runs the same entry point compiled, and a test
// must not pass or fail on a build left over from older sources.
const serviceArgs = ['--import', 'tsx', 'src/server.ts'];

/** The real entry point in a child process, with only the environment given plus PATH and HOME. */
function spawnService(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, serviceArgs, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the entry point to its end (killed after `timeoutMs`); resolves its exit code and output. */
export const runServiceToExit = (env: Record<string, string>, timeoutMs = 60_000): Promise<Finished> =>
  runToEnd(process.execPath, serviceArgs, env, timeoutMs);

/**
 * The real entry point in a child process, with only the environment given (plus
 * PATH, HOME and a free PORT unless `env` names one); resolves once /health/ready answers 200.
 */
export async function startService(env: Record<string, string>): Promise<RunningService> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawnService({ PORT: String(port), ...env });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const ready = await fetch(`${base}/health/ready`).catch(() => undefined);
    if (ready?.status === 200) return { child, base, output: () => output, exited };
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error(`the service did not become ready:\n${output}`);
}

/** Starts the service with `env` as often as a test restarts it; whatever still runs is killed when the test ends. */
export function serviceStarter(
  t: { teardown: (fn: () => void) => void },
  env: Record<string, string>,
): () => Promise<RunningService> {
  const services: RunningService[] = [];
  t.teardown(() => {
    for (const service of services) if (service.child.exitCode === null) service.child.kill('SIGKILL');
  });
  return async () => {
    const service = await startService(env);
    services.push(service);
    return service;
  };
}

/** A JSON call to a running service with a bearer key; anything but a 2xx throws with the answer. */
export async function callService<T>(
  service: RunningService,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${service.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
