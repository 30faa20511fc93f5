import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import type { Contact } from '../../db/schema/contact.js';
import type { ReplyChannel, ReplyStatus } from '../../db/schema/enums.js';
import { actions, decisions, feedbackItems, feedbackTransitions, replies, units } from '../../db/schema/index.js';

/**
 * What a reply may say: public-safe fields only (DESIGN section 5). Never the item's text, never
 * the contact, never anyone else's data; the message builder sees nothing else.
 */
export interface ReplyFacts {
  kind: 'acknowledgement' | 'answer';
  easyRead: boolean;
  largePrint: boolean;
  reference: string;
  unitName: string;
  /** The summary staff wrote of what the person said, when there is one. */
  youSaid: string | null;
  receivedAt: Date;
  /** When the service aims to answer by (the item's due date). */
  answerBy: Date;
  /** For an answer: what closed the item, as the closing status change names it. */
  answer: ReplyAnswer | null;
}

export type ReplyAnswer =
  | { type: 'we_did'; title: string; outcome: string | null; doneAt: Date | null }
  | { type: 'we_couldnt'; explanation: string; referredTo: string | null; decidedAt: Date };

export interface ReplyContext {
  id: string;
  feedbackId: string;
  channel: ReplyChannel;
  status: ReplyStatus;
  /** Why staff must hand it over (needs sending cannot meet), or null. */
  supportNeeded: string | null;
  facts: ReplyFacts;
  /** Private: read when sending, never put into the message. Null once the item is erased. */
  contact: Contact | null;
}

/**
 * Everything needed to send (or print) one reply, read fresh: the reply, its item and unit, and the
 * action or decision named by the status change it tells of. Undefined for an unknown id.
 */
export async function loadReplyContext(db: Queryable, replyId: string): Promise<ReplyContext | undefined> {
  const [row] = await db
    .select({
      id: replies.id,
      feedbackId: replies.feedbackId,
      kind: replies.kind,
      channel: replies.channel,
      status: replies.status,
      supportNeeded: replies.supportNeeded,
      easyRead: replies.easyRead,
      largePrint: replies.largePrint,
      reference: feedbackItems.reference,
      youSaid: feedbackItems.youSaid,
      receivedAt: feedbackItems.receivedAt,
      dueAt: feedbackItems.dueAt,
      contact: feedbackItems.contact,
      erasedAt: feedbackItems.erasedAt,
      unitName: units.name,
      toStatus: feedbackTransitions.toStatus,
      actionTitle: actions.title,
      actionOutcome: actions.outcome,
      actionCompletedAt: actions.completedAt,
      decisionExplanation: decisions.explanation,
      decisionReferredTo: decisions.referredTo,
      decidedAt: decisions.decidedAt,
    })
    .from(replies)
    .innerJoin(feedbackItems, eq(feedbackItems.id, replies.feedbackId))
    .innerJoin(units, eq(units.id, feedbackItems.unitId))
    .innerJoin(feedbackTransitions, eq(feedbackTransitions.id, replies.transitionId))
    .leftJoin(actions, eq(actions.id, feedbackTransitions.actionId))
    .leftJoin(decisions, eq(decisions.id, feedbackTransitions.decisionId))
    .where(eq(replies.id, replyId))
    .limit(1);
  if (!row) return undefined;
  let answer: ReplyAnswer | null = null;
  if (row.kind === 'answer' && row.toStatus === 'actioned' && row.actionTitle !== null) {
    answer = { type: 'we_did', title: row.actionTitle, outcome: row.actionOutcome, doneAt: row.actionCompletedAt };
  } else if (
    row.kind === 'answer' &&
    row.toStatus === 'not_actioned' &&
    row.decisionExplanation !== null &&
    row.decidedAt
  ) {
    answer = {
      type: 'we_couldnt',
      explanation: row.decisionExplanation,
      referredTo: row.decisionReferredTo,
      decidedAt: row.decidedAt,
    };
  }
  return {
    id: row.id,
    feedbackId: row.feedbackId,
    channel: row.channel,
    status: row.status,
    supportNeeded: row.supportNeeded,
    contact: row.erasedAt ? null : row.contact,
    facts: {
      kind: row.kind,
      easyRead: row.easyRead,
      largePrint: row.largePrint,
      reference: row.reference,
      unitName: row.unitName,
      youSaid: row.erasedAt ? null : row.youSaid,
      receivedAt: row.receivedAt,
      answerBy: row.dueAt,
      answer,
    },
  };
}
