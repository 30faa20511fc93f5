import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import type { FeedbackStatus } from '../../src/db/schema/enums.js';
import {
  actionFeedback,
  actions,
  decisions,
  feedbackEquality,
  feedbackItems,
  feedbackTransitions,
} from '../../src/db/schema/index.js';

export const day = 86_400_000;
export const iso = (value: string | number | Date) => new Date(value).toISOString();
export const plusDays = (value: string, days: number) => iso(new Date(value).getTime() + days * day);

export interface ActionSpec {
  unitId: string;
  level: 'none' | 'informing' | 'consulting' | 'involving' | 'co_producing';
  completedAt: string;
}

export interface Step {
  to: FeedbackStatus;
  at: string;
  /** For a move to `actioned`: the completed action that closed the item (it is linked). */
  actionId?: string;
}

export interface ItemSpec {
  unitId: string;
  receivedAt: string;
  /** Default: 28 days after receipt. */
  dueAt?: string;
  kind?: 'compliment' | 'suggestion' | 'concern' | 'complaint' | 'question' | null;
  channel?: 'survey' | 'pals' | 'online' | null;
  submitterRole?: 'patient' | 'carer' | 'family' | 'staff' | 'not_stated';
  themes?: string[];
  /** Status moves after the initial `received`; the last one is the current status. */
  history?: Step[];
  equality?: Record<string, string | null>;
}

/** Completed actions at the given co-production rung; returns their ids. */
export async function insertActions(db: Database, specs: ActionSpec[]): Promise<string[]> {
  const rows = specs.map((spec) => ({
    id: randomUUID(),
    unitId: spec.unitId,
    title: `Action at ${spec.level}`,
    status: 'completed' as const,
    coproductionLevel: spec.level,
    outcome: 'Done',
    completedAt: new Date(spec.completedAt),
  }));
  await db.insert(actions).values(rows);
  return rows.map((row) => row.id);
}

let counter = 0;

/**
 * Inserts items with their full status history in one transaction, so the deferred invariant
 * triggers see each item consistent at commit: decisions for `not_actioned` moves (superseded by a
 * later reopening), links to the closing actions, `closedAt` for a closed current status.
 */
export async function insertItems(db: Database, specs: ItemSpec[]): Promise<string[]> {
  return db.transaction(async (tx) => {
    const ids: string[] = [];
    for (const spec of specs) {
      const id = randomUUID();
      ids.push(id);
      const steps = spec.history ?? [];
      const last = steps.at(-1);
      const status = last?.to ?? 'received';
      const closed = status === 'actioned' || status === 'not_actioned';
      counter += 1;
      await tx.insert(feedbackItems).values({
        id,
        reference: `T${String(counter).padStart(7, '0')}`,
        unitId: spec.unitId,
        text: 'Fixture feedback',
        kind: spec.kind === undefined ? 'suggestion' : spec.kind,
        channel: spec.channel === undefined ? 'survey' : spec.channel,
        submitterRole: spec.submitterRole ?? 'patient',
        themes: spec.themes ?? [],
        receivedAt: new Date(spec.receivedAt),
        dueAt: new Date(spec.dueAt ?? plusDays(spec.receivedAt, 28)),
        status,
        closedAt: closed && last ? new Date(last.at) : null,
      });
      await tx.insert(feedbackTransitions).values({
        feedbackId: id,
        fromStatus: null,
        toStatus: 'received',
        at: new Date(spec.receivedAt),
      });
      let from: FeedbackStatus = 'received';
      let openDecision: string | null = null;
      const linked = new Set<string>();
      for (const step of steps) {
        let decisionId: string | null = null;
        if (step.to === 'not_actioned') {
          decisionId = randomUUID();
          openDecision = decisionId;
          await tx.insert(decisions).values({
            id: decisionId,
            feedbackId: id,
            reasonCode: 'not_feasible',
            explanation: 'We could not, because of a fixture',
            decidedAt: new Date(step.at),
          });
        } else if (openDecision) {
          await tx
            .update(decisions)
            .set({ supersededAt: new Date(step.at) })
            .where(eq(decisions.id, openDecision));
          openDecision = null;
        }
        if (step.actionId && !linked.has(step.actionId)) {
          linked.add(step.actionId);
          await tx.insert(actionFeedback).values({ actionId: step.actionId, feedbackId: id });
        }
        await tx.insert(feedbackTransitions).values({
          feedbackId: id,
          fromStatus: from,
          toStatus: step.to,
          at: new Date(step.at),
          actionId: step.actionId ?? null,
          decisionId,
          reason: from === 'actioned' || from === 'not_actioned' ? 'Reopened in a fixture' : null,
        });
        from = step.to;
      }
      if (spec.equality) await tx.insert(feedbackEquality).values({ feedbackId: id, ...spec.equality });
    }
    return ids;
  });
}

/** A minimal RFC 4180 reader for checking CSV answers: quoted fields, doubled quotes, CRLF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}
