import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../../db/client.js';
import type { FeedbackStatus } from '../../db/schema/enums.js';
import {
  actionFeedback,
  actions,
  decisions,
  feedbackItems,
  recommendationActions,
  units,
} from '../../db/schema/index.js';
import { notFound } from '../../http/problems.js';
import { feedbackStatusSchema, reasonCodeSchema } from '../feedback/feedback.schemas.js';
import { parseReference } from '../feedback/reference.js';

/** Plain words for each status, as a person following their own feedback would want them. */
export const trackingStatusText: Record<FeedbackStatus, string> = {
  received: 'We have received your feedback',
  in_review: 'We are looking at your feedback',
  planned: 'We are planning to act on it',
  actioned: 'We did something about it',
  not_actioned: 'We couldn’t act on it — here is why',
};

const trackedActionSchema = z.object({
  title: z.string(),
  description: z.string().nullable(),
  status: z.enum(['planned', 'in_progress', 'completed']),
  plannedFor: z.iso.date().nullable(),
  outcome: z.string().nullable().describe('What changed; set once the action is completed'),
  completedAt: z.iso.datetime().nullable(),
  recommendedByPanel: z
    .boolean()
    .describe('The action answers a recommendation of the lived-experience panel (accepted by staff)'),
});

/** The public answer to an item: what was done or planned, or why not; the same on tracking and review. */
export const publicAnswerSchema = z
  .object({
    type: z.enum(['we_did', 'we_are_doing', 'we_couldnt']),
    actions: z.array(trackedActionSchema).describe('Completed actions (we_did) or planned ones (we_are_doing)'),
    decision: z
      .object({
        reasonCode: reasonCodeSchema,
        explanation: z.string(),
        referredTo: z.string().nullable().describe('Public: who the feedback was passed on to'),
        decidedAt: z.iso.datetime(),
      })
      .nullable()
      .describe('For we_couldnt: the reason, in plain words'),
  })
  .meta({ id: 'PublicAnswer' });

export type PublicAnswer = z.infer<typeof publicAnswerSchema>;

/** What `publicAnswers` needs of an item. */
export interface AnsweredItem {
  id: string;
  status: FeedbackStatus;
  safeguarding: string;
}

/**
 * The public answer of each item, in two queries for any number of items: for `actioned` its
 * completed actions, for `planned` its live ones, for `not_actioned` its current decision. A flagged
 * item, or one not yet planned or decided, has none (absent from the map).
 */
export async function publicAnswers(db: Queryable, items: readonly AnsweredItem[]): Promise<Map<string, PublicAnswer>> {
  const answers = new Map<string, PublicAnswer>();
  const shown = items.filter((item) => item.safeguarding !== 'flagged');
  const withActions = shown.filter((item) => item.status === 'actioned' || item.status === 'planned');
  const decided = shown.filter((item) => item.status === 'not_actioned');
  if (withActions.length > 0) {
    const linked = await db
      .select({
        feedbackId: actionFeedback.feedbackId,
        title: actions.title,
        description: actions.description,
        status: actions.status,
        plannedFor: actions.plannedFor,
        outcome: actions.outcome,
        completedAt: actions.completedAt,
        recommendedByPanel: sql<boolean>`exists (select 1 from ${recommendationActions} r where r.action_id = ${actions.id})`,
      })
      .from(actionFeedback)
      .innerJoin(actions, eq(actions.id, actionFeedback.actionId))
      .where(
        and(
          inArray(
            actionFeedback.feedbackId,
            withActions.map((item) => item.id),
          ),
          inArray(actions.status, ['completed', 'planned', 'in_progress']),
        ),
      )
      .orderBy(sql`${actions.completedAt} desc nulls last, ${actions.plannedFor} asc nulls last, ${actions.title}`);
    for (const item of withActions) {
      const wanted = item.status === 'actioned' ? ['completed'] : ['planned', 'in_progress'];
      answers.set(item.id, {
        type: item.status === 'actioned' ? 'we_did' : 'we_are_doing',
        actions: linked
          .filter((action) => action.feedbackId === item.id && wanted.includes(action.status))
          .map((action) => ({
            title: action.title,
            description: action.description,
            status: action.status as 'planned' | 'in_progress' | 'completed',
            plannedFor: action.plannedFor,
            outcome: action.status === 'completed' ? action.outcome : null,
            completedAt: action.completedAt?.toISOString() ?? null,
            recommendedByPanel: Boolean(action.recommendedByPanel),
          })),
        decision: null,
      });
    }
  }
  if (decided.length > 0) {
    const rows = await db
      .select({
        feedbackId: decisions.feedbackId,
        reasonCode: decisions.reasonCode,
        explanation: decisions.explanation,
        referredTo: decisions.referredTo,
        decidedAt: decisions.decidedAt,
      })
      .from(decisions)
      .where(
        and(
          inArray(
            decisions.feedbackId,
            decided.map((item) => item.id),
          ),
          isNull(decisions.supersededAt),
        ),
      );
    for (const item of decided) {
      const decision = rows.find((row) => row.feedbackId === item.id);
      answers.set(item.id, {
        type: 'we_couldnt',
        actions: [],
        decision: decision
          ? {
              reasonCode: decision.reasonCode,
              explanation: decision.explanation,
              referredTo: decision.referredTo,
              decidedAt: decision.decidedAt.toISOString(),
            }
          : null,
      });
    }
  }
  return answers;
}

/**
 * Everything a person may see about their own feedback by its reference, and nothing else: no
 * text, contact, ids or internal unit details. Built field by field, so a new private column can
 * never reach it by default.
 */
export const trackingViewSchema = z
  .object({
    reference: z.string().describe('`XXXX-XXXX`'),
    status: feedbackStatusSchema,
    statusText: z.string().describe('The status in plain words'),
    unitName: z.string().describe('The ward, service or team the feedback is about'),
    unitCode: z
      .string()
      .describe('Its code, as in the board’s and the feedback form’s addresses (`/tell-us/{unitCode}`)'),
    youSaid: z
      .string()
      .nullable()
      .describe(
        'The public summary, only when the person agreed to publication and the item is not waiting for a safeguarding review',
      ),
    receivedAt: z.iso.datetime(),
    dueAt: z.iso.datetime(),
    closedAt: z.iso.datetime().nullable(),
    answer: publicAnswerSchema
      .nullable()
      .describe(
        'Null until the service has planned an action or decided, and while the item waits for a safeguarding review',
      ),
  })
  .meta({ id: 'TrackingView' });

export type TrackingView = z.infer<typeof trackingViewSchema>;

/** The public view of the item with this reference (any case, hyphen optional), or null. */
export async function findTrackingView(db: Queryable, reference: string): Promise<TrackingView | null> {
  const normalised = parseReference(reference);
  if (!normalised) return null;
  const [item] = await db
    .select({
      id: feedbackItems.id,
      reference: feedbackItems.reference,
      status: feedbackItems.status,
      youSaid: feedbackItems.youSaid,
      publishConsent: feedbackItems.publishConsent,
      safeguarding: feedbackItems.safeguarding,
      receivedAt: feedbackItems.receivedAt,
      dueAt: feedbackItems.dueAt,
      closedAt: feedbackItems.closedAt,
      unitName: units.name,
      unitCode: units.code,
    })
    .from(feedbackItems)
    .innerJoin(units, eq(units.id, feedbackItems.unitId))
    .where(eq(feedbackItems.reference, normalised))
    .limit(1);
  if (!item) return null;

  // A flagged item waits for a person: whoever holds the reference (a slip left on a kiosk, a carer)
  // still learns that it arrived and where it stands, but no summary and no answer until staff review it.
  const held = item.safeguarding === 'flagged';
  const answer = (await publicAnswers(db, [item])).get(item.id) ?? null;

  return {
    reference: item.reference,
    status: item.status,
    statusText: trackingStatusText[item.status],
    unitName: item.unitName,
    unitCode: item.unitCode,
    youSaid: item.publishConsent && !held ? item.youSaid : null,
    receivedAt: item.receivedAt.toISOString(),
    dueAt: item.dueAt.toISOString(),
    closedAt: item.closedAt?.toISOString() ?? null,
    answer,
  };
}

/**
 * The public view for a reference; an unknown or malformed reference is the same 404, so the answer
 * reveals nothing about which references exist beyond the one asked for.
 */
export async function getTrackingView(db: Queryable, reference: string): Promise<TrackingView> {
  const view = await findTrackingView(db, reference);
  if (!view) throw notFound('Feedback with that reference');
  return view;
}
