/** The bench's command-line options and the load settings they choose, shared by measuring and reporting. */
export const sizeLabels: Record<string, number> = { '10k': 10_000, '100k': 100_000, '1M': 1_000_000 };

interface Options {
  quick: boolean;
  sizes: string[];
  keep: boolean;
  embedded: boolean;
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
  };
}

export const options = parseOptions(process.argv.slice(2));
// Seconds of load per measurement, and of unrecorded warm-up before it.
export const measureSeconds = options.quick ? 3 : 8;
export const warmSeconds = options.quick ? 1 : 2;
// Reports are slow at 1M items: a fixed number of requests, one after another, so none is left
// running into the next measurement.
export const reportRequests = options.quick ? 3 : 5;
// Issue 21 measures boards at 50 connections (a ward's screens behind one proxy) and intake at 20.
export const readConnections = 50;
// A handful of staff paging through lists at once; boards are what many screens poll.
export const listConnections = 4;
export const intakeConnections = 20;
export const batchConnections = 4;
export const batchSize = 500;
// PGlite runs in the service's own thread: a 500-item batch blocks the event loop for over a second
// and is shed (503) by design, so the embedded mode is measured with the batches a trial would send.
export const embeddedBatchSize = 100;

export const serverUrl = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** The settings as results.json records them. */
export const settings = {
  measureSeconds,
  warmSeconds,
  reportRequests,
  readConnections,
  listConnections,
  intakeConnections,
  batchConnections,
  batchSize,
  embeddedBatchSize,
};

export const log = (message: string) => console.log(`[bench] ${message}`);
