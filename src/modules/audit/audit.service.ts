import type { Database, Queryable } from '../../db/client.js';
import { GroupCommit } from '../../db/group-commit.js';
import { insertFromJson, preparedInsertFromJson, preparedRows } from '../../db/rows.js';
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

/** The columns an event is written with, and their SQL types, in the order of `jsonb_to_recordset`. */
const auditEventColumns = {
  actor_key_id: 'uuid',
  actor_name: 'text',
  entity_type: 'text',
  entity_id: 'text',
  action: 'text',
  details: 'jsonb',
};

/** The events as rows keyed by those columns. */
function auditRowsOf(events: readonly { actor: Actor; entry: AuditEntry }[]): Record<string, unknown>[] {
  return events.map(({ actor, entry }) => ({
    actor_key_id: actor.keyId,
    actor_name: actor.name,
    entity_type: entry.entityType,
    entity_id: entry.entityId,
    action: entry.action,
    details: entry.details ?? {},
  }));
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
  // In order: the chain trigger numbers the rows as they come.
  await tx.execute(insertFromJson(auditEvents, auditEventColumns, auditRowsOf(events)));
}

/**
 * The insert of `appendAuditBy` as a prepared statement (`preparedRows`): nearly every page of the
 * staff list writes one, so it is parsed and planned once per pooled connection, not per group.
 */
const readAuditInsert = preparedInsertFromJson('read_audit_insert', auditEvents, auditEventColumns);

/** The events of one read. */
type ReadEvents = { actor: Actor; entry: AuditEntry }[];

/**
 * The audit events of reads (who was handed contact details or private text), written with group
 * commit (`GroupCommit`): the events of a group in one statement, so one transaction, one turn of the
 * chain's lock and one commit per group instead of one each. The lock is held through the commit's
 * WAL flush, so one commit each made concurrent pages wait in line for each other's flush (4
 * clients: about 270 audit inserts a second against 650-1,000 for the same insert without the
 * chain). Each caller goes on only after the commit that holds its events, so no page is sent before
 * its read is in the trail. One group at a time per database: the chain's lock takes them one at a
 * time anyway.
 */
function readAuditGroups(db: Database): GroupCommit<ReadEvents, void> {
  return new GroupCommit({
    maxGroupSize: 200,
    maxGroups: 1,
    write: async (reads) => {
      await preparedRows(db, readAuditInsert, [JSON.stringify(auditRowsOf(reads.flat()))]);
      return reads.map(() => undefined);
    },
  });
}

const readGroups = new WeakMap<Database, GroupCommit<ReadEvents, void>>();

/**
 * Records reads of private fields outside any transaction of the caller's: resolves once the events
 * are committed, in the order the reads asked, sharing the commit with concurrent reads (see
 * `readAuditGroups`).
 */
export function appendReadAudit(db: Database, actor: Actor, entries: AuditEntry[]): Promise<void> {
  let groups = readGroups.get(db);
  if (!groups) {
    groups = readAuditGroups(db);
    readGroups.set(db, groups);
  }
  return groups.submit(entries.map((entry) => ({ actor, entry })));
}
