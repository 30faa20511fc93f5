/** Reporting: bench/results.json and the generated part of docs/benchmarks.md, from what was measured. */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { resolve } from 'node:path';
import { repoRoot, round, withPostgres } from './lib.js';
import type { EmbeddedResult, PathResult, SizeResult } from './measure.js';
import { log, serverUrl } from './options.js';

/** The lint step checks bench/results.json too: write it as the formatter would. */
function formatLikeTheRepository(path: string): void {
  try {
    execFileSync(resolve(repoRoot, 'node_modules', '.bin', 'biome'), ['format', '--write', path], { stdio: 'ignore' });
  } catch {
    log('could not run biome format on bench/results.json; run npm run lint:fix before committing it');
  }
}

export function git(...args: string[]): string {
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

export async function machine() {
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

/** The figures issue 21 asks for; a target is met or shown missed, never loosened. */
const goals = {
  boardJsonShare: 0.7,
  boardHtmlShare: 0.6,
  boardP99Ms: 10,
  createItemsPerSecond: 1000,
  batchItemsPerSecond: 6000,
  reportP99Ms: 500,
  listP99Ms: 20,
  peakMemoryMb: 200,
  embeddedBoardShare: 0.5,
  embeddedStartupMs: 2000,
};

export function targets(sizes: Record<string, SizeResult>, embedded?: EmbeddedResult): Target[] {
  const largest = Object.entries(sizes).at(-1);
  const results: Target[] = [];
  if (!largest) return results;
  const [label, size] = largest;
  const at = `(${label})`;
  const percent = (ratio: number | null | undefined) => (ratio == null ? 'n/a' : `${Math.round(ratio * 100)}%`);
  const share = (name: string, path: PathResult | undefined, goal: number, where: string) => {
    if (!path) return;
    results.push({
      target: `${name}: ≥ ${Math.round(goal * 100)}% of the bare Fastify ceiling ${where}`,
      figure: percent(path.ratio),
      met: path.ratio == null ? null : path.ratio >= goal,
    });
  };
  for (const name of ['board.json.200', 'board.json.304']) {
    const path = size.paths[name];
    if (!path) continue;
    share(name, path, goals.boardJsonShare, at);
    results.push({
      target: `${name}: p99 < ${goals.boardP99Ms} ms ${at}`,
      figure: `${path.p99} ms`,
      met: below(path.p99, goals.boardP99Ms),
    });
  }
  share('board.html', size.paths['board.html'], goals.boardHtmlShare, at);
  const create = size.paths['feedback.create'];
  if (create) {
    results.push({
      target: `POST /v1/feedback ≥ ${goals.createItemsPerSecond.toLocaleString('en-GB')} items/s ${at}`,
      figure: `${create.itemsPerSecond} items/s, ${create.errors} errors`,
      met: (create.itemsPerSecond ?? 0) >= goals.createItemsPerSecond && create.errors === 0,
    });
  }
  const batch = size.paths['feedback.batch'];
  if (batch) {
    results.push({
      target: `POST /v1/feedback/batch ≥ ${goals.batchItemsPerSecond.toLocaleString('en-GB')} items/s ${at}`,
      figure: batch.note ?? `${batch.itemsPerSecond} items/s, ${batch.errors} errors`,
      met: batch.note ? null : (batch.itemsPerSecond ?? 0) >= goals.batchItemsPerSecond && batch.errors === 0,
    });
  }
  for (const [name, path] of Object.entries(size.paths)) {
    if (!name.startsWith('report.')) continue;
    const limit = name.startsWith('report.equity') ? 1000 : goals.reportP99Ms;
    results.push({
      target: `${name} over the whole trust p99 < ${limit} ms ${at}`,
      figure: `p50 ${path.p50} ms, p99 ${path.p99} ms`,
      met: below(path.p99, limit),
    });
  }
  for (const name of ['feedback.list', 'feedback.list.overdue']) {
    const list = size.paths[name];
    if (!list) continue;
    results.push({
      target: `${name}: a page p99 < ${goals.listP99Ms} ms ${at}`,
      figure: `${list.p99} ms`,
      met: below(list.p99, goals.listP99Ms),
    });
  }
  const peaks = Object.values(sizes)
    .map((result) => result.peakMemoryMb)
    .filter((peak): peak is number => peak !== undefined);
  if (peaks.length > 0) {
    const peak = Math.max(...peaks);
    results.push({
      target: `Peak memory under load < ${goals.peakMemoryMb} MB (PostgreSQL mode, as npm start runs it)`,
      figure: `${peak} MB`,
      met: peak < goals.peakMemoryMb,
    });
  }
  if (embedded) {
    share('embedded board.json.200', embedded.paths['board.json.200'], goals.embeddedBoardShare, '(PGlite)');
    results.push({
      target: `Embedded start-up on an existing data directory < ${goals.embeddedStartupMs} ms`,
      figure: `${embedded.startupMs} ms`,
      met: below(embedded.startupMs, goals.embeddedStartupMs),
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

/**
 * Each report's p50 at each size, and between consecutive sizes the ratio of its cost per item
 * (p50 ÷ items): at most 1 means the report grows no faster than the number of items.
 */
function costCurveTable(sizes: Record<string, SizeResult>): string[] {
  const labels = Object.keys(sizes);
  const names = [...new Set(labels.flatMap((label) => Object.keys(sizes[label]!.paths)))].filter((name) =>
    name.startsWith('report.'),
  );
  if (labels.length === 0 || names.length === 0) return [];
  const steps = labels.slice(1).map((label, index) => [labels[index]!, label] as const);
  const lines = [
    '### Report cost curve',
    '',
    `p50 in ms at each size; "per item" is (p50 ÷ items) at the larger size over the same at the smaller, so 1 or less means the cost grows no faster than the number of items.`,
    '',
    `| report | ${labels.map((label) => `${label} p50 ms`).join(' | ')} |${steps.map(([a, b]) => ` per item ${a}→${b} |`).join('')}`,
    `| --- |${labels.map(() => ' ---: |').join('')}${steps.map(() => ' ---: |').join('')}`,
  ];
  for (const name of names) {
    const p50 = (label: string) => sizes[label]?.paths[name]?.p50;
    const perItem = ([a, b]: readonly [string, string]) => {
      const [small, large] = [p50(a), p50(b)];
      if (typeof small !== 'number' || typeof large !== 'number' || !(small > 0)) return '–';
      return String(round(large / sizes[b]!.items / (small / sizes[a]!.items), 2));
    };
    lines.push(
      `| ${name} | ${labels.map((label) => cell(p50(label))).join(' | ')} |${steps.map((step) => ` ${perItem(step)} |`).join('')}`,
    );
  }
  lines.push('');
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
    ...costCurveTable(results.sizes),
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

export interface Results {
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

/** Writes bench/results.json (formatted as the lint step expects) and the results section of docs/benchmarks.md. */
export async function writeReport(results: Results): Promise<void> {
  const resultsPath = resolve(repoRoot, 'bench', 'results.json');
  await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  formatLikeTheRepository(resultsPath);
  await writeDocs(results);
}
