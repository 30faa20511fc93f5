import { createHash } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Queryable, Transaction } from '../db/client.js';
import { idempotencyKeys } from '../db/schema/index.js';
import { HttpProblem } from './problems.js';

/** How long replies are kept and replayed: a client retrying within a day gets the first answer. */
const retentionSql = sql`interval '24 hours'`;
/** A claim with no reply after this long belongs to a request that died; another may take it over. */
const abandonedSql = sql`interval '60 seconds'`;

export const idempotencyKeyHeaderSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7E]+$/, 'visible ASCII characters only')
  .optional()
  .describe(
    'Makes a retry safe: the same key with the same body answers with the first response (same status and body); with a different body, 422 `idempotency-key-reused`; while the first is still running, 409 `idempotency-in-flight`. Kept per API key for at least 24 hours.',
  );

export interface StoredResponse<Body = unknown> {
  status: number;
  body: Body;
  headers: Record<string, string>;
}

interface Claim {
  apiKeyId: string;
  key: string;
  requestHash: string;
}

/** JSON with object keys sorted at every level, so equal bodies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function requestHash(operation: string, body: unknown): string {
  return createHash('sha256').update(operation).update('\n').update(canonicalJson(body)).digest('hex');
}

/**
 * Claims the key with a row committed before the work starts, so a concurrent request with the same
 * key sees it: a finished claim is replayed, a running one answers 409, a different body 422.
 * Replies older than the retention, and claims abandoned by a request that died, are taken over.
 */
async function claim(db: Database, claimed: Claim): Promise<StoredResponse | undefined> {
  const [inserted] = await db
    .insert(idempotencyKeys)
    .values(claimed)
    .onConflictDoUpdate({
      target: [idempotencyKeys.apiKeyId, idempotencyKeys.key],
      set: {
        requestHash: claimed.requestHash,
        responseStatus: null,
        responseBody: null,
        responseHeaders: null,
        createdAt: sql`now()`,
      },
      setWhere: sql`${idempotencyKeys.createdAt} < now() - ${retentionSql}
        or (${idempotencyKeys.responseStatus} is null and ${idempotencyKeys.createdAt} < now() - ${abandonedSql}
            and ${idempotencyKeys.requestHash} = ${claimed.requestHash})`,
    })
    .returning({ key: idempotencyKeys.key });
  if (inserted) return undefined;
  const [existing] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.apiKeyId, claimed.apiKeyId), eq(idempotencyKeys.key, claimed.key)))
    .limit(1);
  // Released between our insert and this read: treat as still in flight, a retry will succeed.
  if (!existing) throw new HttpProblem('idempotency-in-flight');
  if (existing.requestHash !== claimed.requestHash) {
    throw new HttpProblem(
      'idempotency-key-reused',
      'This Idempotency-Key was first used with a different request; use a new key for a new request',
    );
  }
  if (existing.responseStatus === null) {
    throw new HttpProblem(
      'idempotency-in-flight',
      'The first request with this Idempotency-Key is still running; retry shortly',
      {},
      { 'retry-after': '1' },
    );
  }
  return {
    status: existing.responseStatus,
    body: existing.responseBody,
    headers: { ...(existing.responseHeaders ?? {}), 'idempotent-replayed': 'true' },
  };
}

async function release(db: Database, claimed: Claim): Promise<void> {
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.apiKeyId, claimed.apiKeyId),
        eq(idempotencyKeys.key, claimed.key),
        isNull(idempotencyKeys.responseStatus),
      ),
    );
}

async function store(tx: Queryable, claimed: Claim, response: StoredResponse): Promise<void> {
  await tx
    .update(idempotencyKeys)
    .set({ responseStatus: response.status, responseBody: response.body, responseHeaders: response.headers })
    .where(and(eq(idempotencyKeys.apiKeyId, claimed.apiKeyId), eq(idempotencyKeys.key, claimed.key)));
}

/**
 * Runs `work` at most once per (API key, Idempotency-Key); without a key, `work` simply runs.
 * `respond` turns the work's result into the reply, the one stored and the one sent alike. `work`
 * must call `beforeCommit` inside its transaction with its result, so the reply is stored exactly
 * when the work commits; when `work` fails, the claim is released so the client can retry with the
 * same key.
 */
export async function idempotent<Result, Body>(
  db: Database,
  options: { apiKeyId: string; key: string | undefined; operation: string; body: unknown },
  respond: (result: Result) => StoredResponse<Body>,
  work: (beforeCommit: (tx: Transaction, result: Result) => Promise<void>) => Promise<Result>,
): Promise<StoredResponse<Body>> {
  if (options.key === undefined) return respond(await work(async () => {}));
  const claimed: Claim = {
    apiKeyId: options.apiKeyId,
    key: options.key,
    requestHash: requestHash(options.operation, options.body),
  };
  const replay = await claim(db, claimed);
  // A replay is the stored reply of this same operation, so it has the shape `respond` gives.
  if (replay) return replay as StoredResponse<Body>;
  try {
    return respond(await work((tx, result) => store(tx, claimed, respond(result))));
  } catch (error) {
    await release(db, claimed).catch(() => {});
    throw error;
  }
}

/** Deletes replies past their retention; run at start-up and hourly so the table stays a day's worth. */
export async function expireIdempotencyKeys(db: Database): Promise<number> {
  const removed = await db
    .delete(idempotencyKeys)
    .where(sql`${idempotencyKeys.createdAt} < now() - ${retentionSql}`)
    .returning({ key: idempotencyKeys.key });
  return removed.length;
}
