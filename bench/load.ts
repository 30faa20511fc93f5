/**
 * The load generator: a child process of bench/measure.ts, so the service and the client do not share
 * an event loop. It takes scenarios over IPC, runs each with autocannon against 127.0.0.1 only, for
 * a bounded time, and answers with the figures (latency of every answer, not only 2xx).
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { type FeedbackBodies, feedbackBody } from './bodies.js';
import { type LoadResult, percentile, round } from './lib.js';

export interface Scenario {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** GET paths taken in turn (relative to `url`'s origin). */
  rotate?: string[];
  /** New feedback bodies (and a fresh Idempotency-Key) for every request. */
  feedback?: FeedbackBodies;
  connections: number;
  durationSeconds: number;
  /** Send exactly this many requests (one after another per connection) instead of loading for a duration. */
  amount?: number;
  /** Statuses that count as success; anything else is an error. */
  expect: number[];
  timeoutSeconds?: number;
}

function requestsFor(scenario: Scenario): autocannon.Request[] | undefined {
  const { feedback, rotate } = scenario;
  if (feedback) {
    return [
      {
        setupRequest: (request) => {
          const body = feedback.batchSize
            ? { items: Array.from({ length: feedback.batchSize }, () => feedbackBody(feedback)) }
            : feedbackBody(feedback);
          request.body = JSON.stringify(body);
          request.headers = { ...request.headers, 'idempotency-key': randomUUID() };
          return request;
        },
      },
    ];
  }
  if (rotate) return rotate.map((path) => ({ method: 'GET' as const, path }));
  return undefined;
}

export async function runScenario(scenario: Scenario): Promise<LoadResult> {
  const url = new URL(scenario.url);
  // Loopback only: this benchmark never sends traffic anywhere else.
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to load ${url.hostname}: 127.0.0.1 only`);
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const requests = requestsFor(scenario);
  const instance = autocannon({
    url: scenario.url,
    method: scenario.method ?? 'GET',
    headers: {
      ...(scenario.feedback ? { 'content-type': 'application/json' } : {}),
      ...scenario.headers,
    },
    connections: scenario.connections,
    duration: scenario.durationSeconds,
    ...(scenario.amount ? { amount: scenario.amount } : {}),
    timeout: scenario.timeoutSeconds ?? 30,
    ...(requests ? { requests } : {}),
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  const answered = latencies.length;
  const unexpected = Object.entries(statusCodes)
    .filter(([status]) => !scenario.expect.includes(Number(status)))
    .reduce((sum, [, count]) => sum + count, 0);
  const ok = answered - unexpected;
  const seconds = result.duration;
  return {
    rps: round(ok / seconds, 1),
    ...(scenario.feedback ? { itemsPerSecond: round((ok * (scenario.feedback.batchSize ?? 1)) / seconds, 1) } : {}),
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    requests: answered,
    // Requests in flight when the time is up are normal; none answered at all means every client hung.
    errors: unexpected + result.errors + result.timeouts + (answered === 0 ? result.requests.sent : 0),
    statusCodes,
    durationSeconds: round(seconds),
  };
}

if (process.send) {
  process.on('message', (message: { id: number; scenario: Scenario }) => {
    runScenario(message.scenario).then(
      (result) => process.send?.({ id: message.id, result }),
      (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
    );
  });
  process.send({ ready: true });
}
