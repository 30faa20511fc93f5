/**
 * The ceilings, measured in the same run on the same machine so every hot path can be printed as a
 * ratio of what the machine can do at all:
 * - HTTP: a bare Fastify server answering the board routes with the very bytes and headers the
 *   service sent (200, and 304 for a matching If-None-Match): no database, no validation, no hooks.
 * - Database: the intake insert straight through `pg` (a pool, the same concurrency as the HTTP
 *   load), or through PGlite for the embedded mode.
 * A child process of bench/measure.ts, driven over IPC.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { type FeedbackBodies, feedbackBody } from './bodies.js';
import { type LoadResult, percentile, round } from './lib.js';

/** A captured answer of the service: replayed byte for byte by the bare server. */
export interface CapturedRoute {
  path: string;
  etag: string;
  ok: { headers: Record<string, string>; body: string };
  notModified: { headers: Record<string, string> };
}

async function serveCaptured(routes: CapturedRoute[]): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify({ logger: false });
  for (const route of routes) {
    app.get(route.path, (request, reply) => {
      if (request.headers['if-none-match'] === route.etag) {
        return reply.code(304).headers(route.notModified.headers).send();
      }
      return reply.headers(route.ok.headers).send(route.ok.body);
    });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { app, port: address.port };
}

export interface DatabaseCeiling {
  target: { url: string } | { dataDir: string };
  connections: number;
  durationSeconds: number;
  bodies: FeedbackBodies;
}

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function reference(): string {
  const bytes = randomBytes(8);
  const chars = Array.from(bytes, (byte) => crockford[byte & 31]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

const insertColumns =
  'reference, unit_id, text, publish_consent, kind, channel, submitter_role, themes, external_system, external_id, received_at, due_at';

/** The row the service would write for a body: the same columns, the same triggers. */
function rowOf(body: Record<string, unknown>): unknown[] {
  const now = new Date();
  const externalRef = body.externalRef as { system: string; id: string } | undefined;
  return [
    reference(),
    body.unitId,
    body.text,
    body.publishConsent,
    body.kind,
    body.channel,
    body.submitterRole,
    body.themes,
    externalRef?.system ?? null,
    externalRef?.id ?? null,
    now.toISOString(),
    new Date(now.getTime() + 28 * 86_400_000).toISOString(),
  ];
}

const singleInsert = `insert into feedback_items (${insertColumns}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) on conflict (reference) do nothing returning id`;

function batchInsert(size: number): string {
  const rows = Array.from(
    { length: size },
    (_, row) => `(${Array.from({ length: 12 }, (_, column) => `$${row * 12 + column + 1}`).join(', ')})`,
  );
  return `insert into feedback_items (${insertColumns}) values ${rows.join(', ')} on conflict (reference) do nothing returning id`;
}

/**
 * Inserts as fast as `connections` clients can for the duration: one row per statement, or
 * `bodies.batchSize` rows per statement.
 */
async function databaseCeiling(ceiling: DatabaseCeiling): Promise<LoadResult> {
  const size = ceiling.bodies.batchSize ?? 1;
  const statement = size === 1 ? singleInsert : batchInsert(size);
  let query: (values: unknown[]) => Promise<unknown>;
  let close: () => Promise<void>;
  let connections = ceiling.connections;
  if ('url' in ceiling.target) {
    const pool = new pg.Pool({ connectionString: ceiling.target.url, max: ceiling.connections });
    query = (values) => pool.query(statement, values);
    close = () => pool.end();
  } else {
    const client = new PGlite(ceiling.target.dataDir);
    await client.waitReady;
    query = (values) => client.query(statement, values);
    close = () => client.close();
    // PGlite is one connection in one process: more clients would only queue.
    connections = 1;
  }
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + ceiling.durationSeconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const values = Array.from({ length: size }, () => rowOf(feedbackBody(ceiling.bodies))).flat();
      const sent = performance.now();
      try {
        await query(values);
        latencies.push(performance.now() - sent);
      } catch {
        errors++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    await close();
  }
  const seconds = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    rps: round(latencies.length / seconds, 1),
    itemsPerSecond: round((latencies.length * size) / seconds, 1),
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    requests: latencies.length + errors,
    errors,
    statusCodes: {},
    durationSeconds: round(seconds),
  };
}

type Command =
  | { id: number; serve: CapturedRoute[] }
  | { id: number; database: DatabaseCeiling }
  | { id: number; stopServing: true };

if (process.send) {
  let serving: FastifyInstance | undefined;
  process.on('message', (command: Command) => {
    const answer = async () => {
      if ('serve' in command) {
        await serving?.close();
        const { app, port } = await serveCaptured(command.serve);
        serving = app;
        return { port };
      }
      if ('database' in command) return databaseCeiling(command.database);
      await serving?.close();
      serving = undefined;
      return {};
    };
    answer().then(
      (result) => process.send?.({ id: command.id, result }),
      (error: unknown) => process.send?.({ id: command.id, error: String(error) }),
    );
  });
  process.send({ ready: true, token: randomUUID() });
}
