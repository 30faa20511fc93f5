import type { Queryable } from '../../db/client.js';
import { insertFromJson } from '../../db/rows.js';
import { auditEvents } from '../../db/schema/index.js';

/** Who made a change: an API key, or the service itself (start-up tasks). */
export interface Actor {
  keyId: string | null;
  name: string;
}

export const systemActor: Actor = { keyId: null, name: 'system' };

export interface AuditEntry {
  entityType:
    | 'api_key'
    | 'unit'
    | 'themes'
    | 'feedback'
    | 'action'
    | 'decision'
    | 'webhook'
    | 'report'
    | 'reply'
    | 'follow_up'
    | 'review_invite'
    | 'safeguarding_phrases'
    | 'person'
    | 'recommendation';
  entityId: string;
  action: string;
  /** Names of the fields changed and public-safe facts; never private text or contact values. */
  details?: Record<string, unknown>;
}

/**
 * Appends audit events inside the caller's transaction. Call it as the last write of the
 * transaction: the chain's lock is held from here to commit.
 */
export async function appendAudit(tx: Queryable, actor: Actor, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  await appendAuditBy(
    tx,
    list.map((entry) => ({ actor, entry })),
  );
}

/** As `appendAudit`, for events of several actors written together (requests sharing one commit). */
export async function appendAuditBy(
  tx: Queryable,
  events: readonly { actor: Actor; entry: AuditEntry }[],
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(({ actor, entry }) => ({
    actor_key_id: actor.keyId,
    actor_name: actor.name,
    entity_type: entry.entityType,
    entity_id: entry.entityId,
    action: entry.action,
    details: entry.details ?? {},
  }));
  // In order: the chain trigger numbers the rows as they come.
  await tx.execute(
    insertFromJson(
      auditEvents,
      {
        actor_key_id: 'uuid',
        actor_name: 'text',
        entity_type: 'text',
        entity_id: 'text',
        action: 'text',
        details: 'jsonb',
      },
      rows,
    ),
  );
}
