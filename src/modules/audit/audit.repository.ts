import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { auditEvents } from '../../db/schema/index.js';

export type AuditEventRow = typeof auditEvents.$inferSelect;

export interface AuditFilters {
  entityType?: string | undefined;
  entityId?: string | undefined;
  actorKeyId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Newest first; `beforeSeq` is the last seq of the previous page. Fetches `limit + 1` rows. */
export async function listAuditEvents(
  db: Queryable,
  filters: AuditFilters,
  limit: number,
  beforeSeq?: number,
): Promise<AuditEventRow[]> {
  return db
    .select()
    .from(auditEvents)
    .where(
      and(
        filters.entityType ? eq(auditEvents.entityType, filters.entityType) : undefined,
        filters.entityId ? eq(auditEvents.entityId, filters.entityId) : undefined,
        filters.actorKeyId ? eq(auditEvents.actorKeyId, filters.actorKeyId) : undefined,
        filters.from ? gte(auditEvents.occurredAt, new Date(filters.from)) : undefined,
        filters.to ? lt(auditEvents.occurredAt, new Date(filters.to)) : undefined,
        beforeSeq !== undefined ? lt(auditEvents.seq, beforeSeq) : undefined,
      ),
    )
    .orderBy(desc(auditEvents.seq))
    .limit(limit + 1);
}

/** The chain version of the newest event (one primary-key probe); null while the trail is empty. */
export async function lastChainVersion(db: Queryable): Promise<number | null> {
  const [row] = await db
    .select({ chainVersion: auditEvents.chainVersion })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return row?.chainVersion ?? null;
}

/**
 * Recomputes the whole chain in the database, in one pass: each event's hash from its stored
 * content by its own chain version (audit_event_link(), which the insert trigger uses too), its
 * prevHash against the hash of the event before, its seq against the one before (a deleted event
 * leaves a gap), and its version against the one before: versions never go down, so rewriting
 * keyed events as unkeyed ones (which needs no key) breaks the chain. Keyed events verify only on a
 * session holding AUDIT_HMAC_KEY.
 */
export async function verifyAuditChain(
  db: Queryable,
): Promise<{ checked: number; firstBrokenSeq: number | null; firstKeyedSeq: number | null }> {
  const [row] = await rowsOf<{
    checked: number | string;
    first_broken_seq: string | null;
    first_keyed_seq: string | null;
  }>(
    db,
    sql`
    with chain as (
      select
        seq,
        hash,
        prev_hash,
        chain_version,
        audit_event_link(chain_version, prev_hash, seq, occurred_at, actor_key_id, actor_name, entity_type,
          entity_id, action, details) as recomputed,
        lag(hash) over (order by seq) as previous_hash,
        lag(seq) over (order by seq) as previous_seq,
        lag(chain_version) over (order by seq) as previous_version
      from audit_events
    )
    select
      count(*)::int as checked,
      min(seq) filter (
        where hash is distinct from recomputed
          or prev_hash is distinct from coalesce(previous_hash, repeat('0', 64))
          or seq <> coalesce(previous_seq, 0) + 1
          or chain_version < coalesce(previous_version, 1)
      )::text as first_broken_seq,
      min(seq) filter (where chain_version = 3)::text as first_keyed_seq
    from chain`,
  );
  const seqOrNull = (value: string | null | undefined) => (value == null ? null : Number(value));
  return {
    checked: Number(row?.checked ?? 0),
    firstBrokenSeq: seqOrNull(row?.first_broken_seq),
    firstKeyedSeq: seqOrNull(row?.first_keyed_seq),
  };
}
