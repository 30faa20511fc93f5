import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
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

/**
 * Recomputes the whole chain in the database, in one pass: each event's hash from its stored
 * content (the same audit_event_hash() the insert trigger uses), its prevHash against the hash of
 * the event before, and its seq against the one before (a deleted event leaves a gap).
 */
export async function verifyAuditChain(db: Queryable): Promise<{ checked: number; firstBrokenSeq: number | null }> {
  const result = await db.execute(sql`
    with chain as (
      select
        seq,
        hash,
        prev_hash,
        audit_event_hash(prev_hash, seq, occurred_at, actor_key_id, actor_name, entity_type, entity_id, action, details)
          as recomputed,
        lag(hash) over (order by seq) as previous_hash,
        lag(seq) over (order by seq) as previous_seq
      from audit_events
    )
    select
      count(*)::int as checked,
      min(seq) filter (
        where hash is distinct from recomputed
          or prev_hash is distinct from coalesce(previous_hash, repeat('0', 64))
          or seq <> coalesce(previous_seq, 0) + 1
      )::text as first_broken_seq
    from chain`);
  // Both drivers answer raw SQL with `{ rows }`.
  const [row] = (result as { rows: { checked: number | string; first_broken_seq: string | null }[] }).rows;
  return {
    checked: Number(row?.checked ?? 0),
    firstBrokenSeq: row?.first_broken_seq == null ? null : Number(row.first_broken_seq),
  };
}
