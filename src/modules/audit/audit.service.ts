import type { Database, Queryable } from '../../db/client.js';
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

interface WaitingRead {
  events: { actor: Actor; entry: AuditEntry }[];
  written: () => void;
  failed: (error: unknown) => void;
}

/** At most this many reads' events in one insert. */
const maxReadsPerGroup = 200;

/**
 * The audit events of reads (who was handed contact details or private text), written together with
 * the reads that arrive while an earlier group is being written: one statement, so one transaction,
 * one turn of the chain's lock and one commit per group instead of one each. The lock is held through
 * the commit's WAL flush, so one commit each made concurrent pages wait in line for each other's flush
 * (4 clients: about 270 audit inserts a second against 650-1,000 for the same insert without the
 * chain). A read alone is written at once, and each caller goes on only after the commit that holds
 * its events, so no page is sent before its read is in the trail. One group at a time per database:
 * the chain's lock takes them one at a time anyway. A group that fails is written again one read at
 * a time, so one read's failure is its own.
 */
class ReadAuditGroups {
  private readonly waiting: WaitingRead[] = [];
  private writing = false;

  constructor(private readonly db: Database) {}

  append(events: WaitingRead['events']): Promise<void> {
    return new Promise((written, failed) => {
      this.waiting.push({ events, written, failed });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0, maxReadsPerGroup);
      try {
        await appendAuditBy(
          this.db,
          group.flatMap((read) => read.events),
        );
        for (const read of group) read.written();
      } catch (error) {
        if (group.length === 1) group[0]!.failed(error);
        else for (const read of group) await this.writeAlone(read);
      }
    }
    this.writing = false;
  }

  private async writeAlone(read: WaitingRead): Promise<void> {
    try {
      await appendAuditBy(this.db, read.events);
      read.written();
    } catch (error) {
      read.failed(error);
    }
  }
}

const readGroups = new WeakMap<Database, ReadAuditGroups>();

/**
 * Records reads of private fields outside any transaction of the caller's: resolves once the events
 * are committed, in the order the reads asked, sharing the commit with concurrent reads (see
 * `ReadAuditGroups`).
 */
export function appendReadAudit(db: Database, actor: Actor, entries: AuditEntry[]): Promise<void> {
  let groups = readGroups.get(db);
  if (!groups) {
    groups = new ReadAuditGroups(db);
    readGroups.set(db, groups);
  }
  return groups.append(entries.map((entry) => ({ actor, entry })));
}
