import { createHash } from 'node:crypto';
import { and, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Queryable } from '../db/client.js';
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
    'Makes a retry safe: the same key with the same body answers with the first response (same status and body); with a different body, 422 `idempotency-key-reused`. A request sent while the first is still running waits for it and then gets its response (409 `idempotency-in-flight` only for a claim left without a response, for up to a minute). Kept per API key for at least 24 hours.',
  );

export interface StoredResponse<Body = unknown> {
  status: number;
  body: Body;
  headers: Record<string, string>;
}

/** One request's hold on its (API key, Idempotency-Key). */
export interface IdempotencyClaim {
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

const claimOrder = (a: IdempotencyClaim, b: IdempotencyClaim) =>
  a.apiKeyId < b.apiKeyId ? -1 : a.apiKeyId > b.apiKeyId ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/** What a claim found: nothing (the key is this request's now), a stored reply to replay, or a refusal. */
export type ClaimOutcome = StoredResponse | HttpProblem | undefined;

/**
 * Claims keys inside the caller's write transaction, so the claim commits with the work (one commit
 * per request) or vanishes with it. The unique key decides between concurrent requests: a request
 * whose key another open transaction holds waits until that one ends, then replays its committed
 * reply, or takes the key if it rolled back, so two requests with one key never both write. A
 * finished claim with the same body is replayed, with another body refused (422); a claim without a
 * reply (left by a version that claimed before its work) answers 409 while it is young and is taken
 * over after a minute. Replies past the retention are taken over. Claims are written in key order,
 * so two transactions claiming several keys wait on each other in one order. The claims must be of
 * distinct keys; answers an outcome per claim, in order.
 */
export async function claimKeys(tx: Queryable, claims: readonly IdempotencyClaim[]): Promise<ClaimOutcome[]> {
  if (claims.length === 0) return [];
  const sorted = [...claims].sort(claimOrder);
  const inserted = await tx
    .insert(idempotencyKeys)
    .values(sorted.map(({ apiKeyId, key, requestHash }) => ({ apiKeyId, key, requestHash })))
    .onConflictDoUpdate({
      target: [idempotencyKeys.apiKeyId, idempotencyKeys.key],
      set: {
        requestHash: sql`excluded.request_hash`,
        responseStatus: null,
        responseBody: null,
        responseHeaders: null,
        createdAt: sql`now()`,
      },
      setWhere: sql`${idempotencyKeys.createdAt} < now() - ${retentionSql}
        or (${idempotencyKeys.responseStatus} is null and ${idempotencyKeys.createdAt} < now() - ${abandonedSql}
            and ${idempotencyKeys.requestHash} = excluded.request_hash)`,
    })
    .returning({ apiKeyId: idempotencyKeys.apiKeyId, key: idempotencyKeys.key });
  const keyOf = (claim: { apiKeyId: string; key: string }) => JSON.stringify([claim.apiKeyId, claim.key]);
  const ours = new Set(inserted.map(keyOf));
  const held = claims.filter((claim) => !ours.has(keyOf(claim)));
  if (held.length === 0) return claims.map(() => undefined);
  // A new statement, so it sees the rows committed by the transactions the insert waited for.
  const stored = await tx
    .select()
    .from(idempotencyKeys)
    .where(
      sql`(${idempotencyKeys.apiKeyId}, ${idempotencyKeys.key}) in (${sql.join(
        held.map((claim) => sql`(${claim.apiKeyId}::uuid, ${claim.key})`),
        sql`, `,
      )})`,
    );
  const existing = new Map(stored.map((row) => [keyOf(row), row]));
  return claims.map((claim) => {
    if (ours.has(keyOf(claim))) return undefined;
    const row = existing.get(keyOf(claim));
    // Expired and deleted between the insert and this read: a retry will claim it.
    if (!row) return new HttpProblem('idempotency-in-flight');
    if (row.requestHash !== claim.requestHash) {
      return new HttpProblem(
        'idempotency-key-reused',
        'This Idempotency-Key was first used with a different request; use a new key for a new request',
      );
    }
    if (row.responseStatus === null) {
      return new HttpProblem(
        'idempotency-in-flight',
        'The first request with this Idempotency-Key is still running; retry shortly',
        {},
        { 'retry-after': '1' },
      );
    }
    return {
      status: row.responseStatus,
      body: row.responseBody,
      headers: { ...(row.responseHeaders ?? {}), 'idempotent-replayed': 'true' },
    };
  });
}

/** Stores the replies of claimed keys, in the transaction that claimed them, in one statement. */
export async function storeResponses(
  tx: Queryable,
  replies: readonly { claim: IdempotencyClaim; response: StoredResponse }[],
): Promise<void> {
  if (replies.length === 0) return;
  const rows = replies.map(({ claim, response }) => ({
    api_key_id: claim.apiKeyId,
    key: claim.key,
    status: response.status,
    body: response.body,
    headers: response.headers,
  }));
  await tx.execute(sql`
    update ${idempotencyKeys} as stored
    set response_status = reply.status, response_body = reply.body, response_headers = reply.headers
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as reply(api_key_id uuid, key text, status integer, body jsonb, headers jsonb)
    where stored.api_key_id = reply.api_key_id and stored.key = reply.key`);
}

/** Gives up claims made in this transaction whose work failed, so the client may retry with the key. */
export async function releaseKeys(tx: Queryable, claims: readonly IdempotencyClaim[]): Promise<void> {
  if (claims.length === 0) return;
  await tx.delete(idempotencyKeys).where(
    and(
      sql`(${idempotencyKeys.apiKeyId}, ${idempotencyKeys.key}) in (${sql.join(
        claims.map((claim) => sql`(${claim.apiKeyId}::uuid, ${claim.key})`),
        sql`, `,
      )})`,
      isNull(idempotencyKeys.responseStatus),
    ),
  );
}

/** Deletes replies past their retention; run at start-up and hourly so the table stays a day's worth. */
export async function expireIdempotencyKeys(db: Database): Promise<number> {
  const removed = await db
    .delete(idempotencyKeys)
    .where(sql`${idempotencyKeys.createdAt} < now() - ${retentionSql}`)
    .returning({ key: idempotencyKeys.key });
  return removed.length;
}
