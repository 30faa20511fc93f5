import { randomInt } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { actionFeedback, actions, decisions, feedbackEquality, feedbackItems } from '../../src/db/schema/index.js';
import { touchBoards } from '../../src/modules/units/units.board-version.js';

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function randomReference(): string {
  let raw = '';
  for (let i = 0; i < 8; i++) raw += crockford[randomInt(crockford.length)];
  return `${raw.slice(0, 4)}-${raw.slice(4)}`;
}

export interface ItemSpec {
  unitId: string;
  text?: string;
  youSaid?: string | null;
  publishConsent?: boolean;
  contact?: { name?: string; email?: string; phone?: string; wantsReply?: boolean } | null;
  equality?: { ethnicGroup?: string; religion?: string } | null;
  receivedAt?: Date;
}

export interface Scenario {
  items?: ItemSpec[];
  /** An action answering some of the items (by index into `items`). */
  actions?: {
    unitId: string;
    title: string;
    description?: string;
    status: 'planned' | 'in_progress' | 'completed' | 'cancelled';
    outcome?: string;
    plannedFor?: string;
    items?: number[];
    at?: Date;
  }[];
  /** A decision not to act on an item (by index). */
  decisions?: { item: number; explanation: string; at?: Date }[];
}

/**
 * Writes feedback, actions and decisions in ONE transaction (the status invariants are checked at
 * commit) and bumps the boards, as the services do. Returns the ids and references created.
 */
export async function seed(db: Database, scenario: Scenario) {
  return db.transaction(async (tx) => {
    const items: { id: string; reference: string }[] = [];
    for (const spec of scenario.items ?? []) {
      const receivedAt = spec.receivedAt ?? new Date();
      const [row] = await tx
        .insert(feedbackItems)
        .values({
          reference: randomReference(),
          unitId: spec.unitId,
          text: spec.text ?? 'Some private words',
          youSaid: spec.youSaid ?? null,
          publishConsent: spec.publishConsent ?? false,
          contact: spec.contact ?? null,
          kind: 'suggestion',
          channel: 'kiosk',
          receivedAt,
          dueAt: new Date(receivedAt.getTime() + 28 * 86_400_000),
          status: 'in_review',
        })
        .returning({ id: feedbackItems.id, reference: feedbackItems.reference });
      if (!row) throw new Error('insert failed');
      if (spec.equality) await tx.insert(feedbackEquality).values({ feedbackId: row.id, ...spec.equality });
      items.push(row);
    }
    const actionIds: string[] = [];
    for (const spec of scenario.actions ?? []) {
      const at = spec.at ?? new Date();
      const [row] = await tx
        .insert(actions)
        .values({
          unitId: spec.unitId,
          title: spec.title,
          description: spec.description ?? null,
          status: spec.status,
          plannedFor: spec.plannedFor ?? null,
          outcome: spec.status === 'completed' ? (spec.outcome ?? 'Done') : null,
          completedAt: spec.status === 'completed' ? at : null,
          cancelledAt: spec.status === 'cancelled' ? at : null,
          cancelReason: spec.status === 'cancelled' ? 'No longer needed' : null,
          createdAt: at,
        })
        .returning({ id: actions.id });
      if (!row) throw new Error('insert failed');
      actionIds.push(row.id);
      for (const index of spec.items ?? []) {
        const item = items[index];
        if (!item) throw new Error(`no item ${index}`);
        await tx.insert(actionFeedback).values({ actionId: row.id, feedbackId: item.id });
        const status = spec.status === 'completed' ? 'actioned' : spec.status === 'cancelled' ? 'in_review' : 'planned';
        await tx
          .update(feedbackItems)
          .set({ status, closedAt: status === 'actioned' ? at : null })
          .where(eqId(item.id));
      }
    }
    for (const spec of scenario.decisions ?? []) {
      const item = items[spec.item];
      if (!item) throw new Error(`no item ${spec.item}`);
      const at = spec.at ?? new Date();
      await tx
        .insert(decisions)
        .values({ feedbackId: item.id, reasonCode: 'not_feasible', explanation: spec.explanation, decidedAt: at });
      await tx.update(feedbackItems).set({ status: 'not_actioned', closedAt: at }).where(eqId(item.id));
    }
    const unitIds = [...(scenario.items ?? []).map((i) => i.unitId), ...(scenario.actions ?? []).map((a) => a.unitId)];
    await touchBoards(tx, [...new Set(unitIds)]);
    return { items, actionIds };
  });
}

const eqId = (id: string) => eq(feedbackItems.id, id);
