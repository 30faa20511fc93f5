/**
 * `npm run bench`: seeds a realistic trust at 10k, 100k and 1M items in fresh PostgreSQL databases,
 * builds the service and starts it as `npm start` does (`node dist/server.js`), loads every hot path from a second process with autocannon,
 * measures the HTTP and database ceilings in the same run, and writes bench/results.json and the
 * generated part of docs/benchmarks.md. Each path is printed as a ratio of its ceiling, so figures
 * taken on a busy machine stay comparable.
 *
 *   npm run bench                       10k, 100k and 1M, then the embedded mode
 *   npm run bench -- --quick            10k only, short measurements (under 2 minutes)
 *   npm run bench -- --sizes=10k,100k   chosen sizes
 *   npm run bench -- --keep             keep the wedid_bench_<size> databases afterwards
 *   npm run bench -- --no-embedded      skip the embedded (PGlite) mode
 *
 * BENCH_DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
 * one database per size (wedid_bench_<size>, or BENCH_DATABASE_PREFIX<size>) is created on it and dropped afterwards.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { repoRoot, round, serviceEntry } from './lib.js';
import { runEmbedded, runPostgresSize, worker } from './measure.js';
import { log, options, settings } from './options.js';
import { git, machine, type Results, targets, writeReport } from './report.js';

async function main(): Promise<void> {
  const started = performance.now();
  // What is measured is what `npm start` runs, compiled from the sources as they are now.
  log('building (npm run build) to run dist/server.js');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const results: Results = {
    date: new Date().toISOString(),
    command,
    quick: options.quick,
    service: `node ${serviceEntry.join(' ')}`,
    git: { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain') !== '' },
    machine: await machine(),
    settings,
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
  results.targets = targets(results.sizes, results.embedded);
  results.totalSeconds = round((performance.now() - started) / 1000, 1);
  await writeReport(results);
  log(`done in ${results.totalSeconds} s: bench/results.json and docs/benchmarks.md written`);
  for (const target of results.targets) {
    log(`${target.met === null ? '  -' : target.met ? ' ok' : 'MISS'} ${target.target}: ${target.figure}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
