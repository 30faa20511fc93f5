import { z } from 'zod';
import {
  actionStatuses,
  channels,
  coproductionLevels,
  type EventType,
  eventTypes,
  feedbackKinds,
  feedbackStatuses,
  followUpAnswers,
  recommendationStatuses,
  safeguardingStatuses,
} from '../../db/schema/enums.js';

export const eventTypeSchema = z.enum(eventTypes);

/** The feedback events whose data is the item's public-safe fields; the other two carry their own. */
const ownDataTypes = ['feedback.follow_up', 'feedback.safeguarding'] as const;
const feedbackEventTypes = eventTypes.filter(
  (type) => type.startsWith('feedback.') && !(ownDataTypes as readonly string[]).includes(type),
) as Exclude<Extract<EventType, `feedback.${string}`>, (typeof ownDataTypes)[number]>[];
const actionEventTypes = eventTypes.filter((type) => type.startsWith('action.')) as Extract<
  EventType,
  `action.${string}`
>[];

const recommendationEventTypes = eventTypes.filter((type) => type.startsWith('recommendation.')) as Extract<
  EventType,
  `recommendation.${string}`
>[];

const envelope = {
  id: z.uuid().describe('Unique per event; the `webhook-id` of its deliveries, so receivers can de-duplicate'),
  occurredAt: z.iso.datetime(),
  unitId: z.uuid().describe('The unit the event is about; key and webhook scopes are unit subtrees'),
};

/** What a `display` key (a ward screen) gets of a feedback event: only what a board shows. */
const displayFeedbackEventDataSchema = z
  .object({
    id: z.uuid(),
    unitId: z.uuid(),
    status: z.enum(feedbackStatuses),
    previousStatus: z.enum(feedbackStatuses).optional().describe('Present when the status changed'),
    version: z.int(),
    publishConsent: z.boolean(),
    receivedAt: z.iso.datetime(),
    closedAt: z.iso.datetime().optional(),
    erased: z.boolean(),
  })
  .meta({
    id: 'DisplayFeedbackEventData',
    description: 'A feedback event as a `display` key gets it: what a board shows of the item, and no more',
  });

const feedbackEventDataSchema = displayFeedbackEventDataSchema
  .extend({
    kind: z.enum(feedbackKinds).optional(),
    channel: z.enum(channels).optional(),
    themes: z.array(z.string()),
    dueAt: z.iso.datetime(),
    externalRef: z
      .object({ system: z.string(), id: z.string() })
      .optional()
      .describe(
        'The item’s reference in the sending system (may identify a patient); webhooks, configured by admins, carry it',
      ),
  })
  .meta({
    id: 'FeedbackEventData',
    description:
      'Ids and public-safe fields of the item; never its text, youSaid or contact details. `display` keys get `DisplayFeedbackEventData` instead',
  });

/** What a `display` key gets of an action event: what a board shows of the action. */
const displayActionEventDataSchema = z
  .object({
    id: z.uuid(),
    unitId: z.uuid(),
    status: z.enum(actionStatuses),
    version: z.int(),
    plannedFor: z.iso.date().optional(),
    completedAt: z.iso.datetime().optional(),
    cancelledAt: z.iso.datetime().optional(),
  })
  .meta({
    id: 'DisplayActionEventData',
    description: 'An action event as a `display` key gets it: what a board shows of the action, and no more',
  });

const actionEventDataSchema = displayActionEventDataSchema
  .extend({ coproductionLevel: z.enum(coproductionLevels) })
  .meta({
    id: 'ActionEventData',
    description:
      'Ids and status of the action; read it with GET /v1/actions/{id} for the rest. `display` keys get `DisplayActionEventData` instead',
  });

const followUpEventDataSchema = z
  .object({
    id: z.uuid().describe('The feedback item'),
    unitId: z.uuid(),
    followUpId: z.uuid(),
    answer: z.enum(followUpAnswers).describe('`no` reopens the item: a `feedback.reopened` event follows'),
    answeredAt: z.iso.datetime(),
  })
  .describe(
    '"Did this answer you?": the person’s answer to the item’s latest answer; never their comment. Not shown to `display` keys',
  );

const safeguardingEventDataSchema = z
  .object({
    id: z.uuid().describe('The feedback item'),
    unitId: z.uuid(),
    safeguarding: z.enum(safeguardingStatuses).describe('The new safeguarding status'),
  })
  .describe(
    'The safeguarding screen flagged an item on intake, or staff flagged, reviewed or cleared it. Never the text, nor the phrases that matched: read the item with GET /v1/feedback/{id}. Not shown to `display` keys',
  );

/** What a `display` key gets of a recommendation event: what a board's panel section shows. */
const displayRecommendationEventDataSchema = z
  .object({
    id: z.uuid(),
    unitId: z.uuid(),
    status: z.enum(recommendationStatuses),
    previousStatus: z.enum(recommendationStatuses).optional().describe('Present when the status changed'),
    version: z.int(),
    actionIds: z.array(z.uuid()),
    createdAt: z.iso.datetime(),
    respondedAt: z.iso.datetime().optional(),
    doneAt: z.iso.datetime().optional(),
  })
  .meta({
    id: 'DisplayRecommendationEventData',
    description:
      'A recommendation event as a `display` key gets it: what a board shows of the recommendation, and no more',
  });

const recommendationEventDataSchema = displayRecommendationEventDataSchema
  .extend({ themes: z.array(z.string()), feedbackIds: z.array(z.uuid()) })
  .meta({
    id: 'RecommendationEventData',
    description:
      'A recommendation of the lived-experience panel: made (`created`), accepted with actions (`accepted`, again when its actions change or one is no longer completed), declined, or done (every linked action completed). Ids, status and dates only: read the title, text and response with GET /v1/recommendations/{id}. Never who made it. `display` keys get `DisplayRecommendationEventData` instead',
  });

const boardEventDataSchema = z
  .object({ unitId: z.uuid() })
  .describe('Something the unit’s board, or a board that includes it, may show has changed: fetch it again');

export const eventSchema = z
  .discriminatedUnion('type', [
    z.object({
      ...envelope,
      type: z.enum(feedbackEventTypes),
      data: z.union([feedbackEventDataSchema, displayFeedbackEventDataSchema]),
    }),
    z.object({ ...envelope, type: z.literal('feedback.follow_up'), data: followUpEventDataSchema }),
    z.object({
      ...envelope,
      type: z.enum(actionEventTypes),
      data: z.union([actionEventDataSchema, displayActionEventDataSchema]),
    }),
    z.object({ ...envelope, type: z.literal('feedback.safeguarding'), data: safeguardingEventDataSchema }),
    z.object({
      ...envelope,
      type: z.enum(recommendationEventTypes),
      data: z.union([recommendationEventDataSchema, displayRecommendationEventDataSchema]),
    }),
    z.object({ ...envelope, type: z.literal('board.updated'), data: boardEventDataSchema }),
  ])
  .meta({ id: 'Event' });

export type Event = z.infer<typeof eventSchema>;

/**
 * The fields of an event's data a `display` key gets, by type: what a board shows. Follow-up and
 * safeguarding events are for staff only, and a display key reads past them.
 */
export function displayDataFields(type: EventType): readonly string[] {
  if (type.startsWith('action.')) return Object.keys(displayActionEventDataSchema.shape);
  if (type.startsWith('recommendation.')) return Object.keys(displayRecommendationEventDataSchema.shape);
  if (type === 'board.updated') return Object.keys(boardEventDataSchema.shape);
  return Object.keys(displayFeedbackEventDataSchema.shape);
}

const typeList = z
  .string()
  .max(500)
  .transform((value, context) => {
    const types = value.split(',').map((part) => part.trim());
    const unknown = types.filter((type) => !(eventTypes as readonly string[]).includes(type));
    if (unknown.length > 0) {
      context.addIssue({ code: 'custom', message: `Unknown event types: ${unknown.join(', ')}` });
      return z.NEVER;
    }
    return types as EventType[];
  });

export const listEventsQuerySchema = z.object({
  after: z
    .string()
    .max(200)
    .optional()
    .describe('`nextCursor` from the previous answer; without it the feed starts at the oldest event'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('Events per answer (1–500, default 100)'),
  wait: z.coerce
    .number()
    .int()
    .min(0)
    .max(30)
    .default(0)
    .describe('Seconds to wait for an event when there is none yet (long polling, 0–30)'),
  types: typeList.optional().describe('Comma-separated event types to include (default: all)'),
  unitId: z.uuid().optional().describe('Only events about this unit’s subtree (within the key’s scope)'),
});

export type ListEventsQuery = z.output<typeof listEventsQuerySchema>;

export const eventPageSchema = z.object({
  events: z.array(eventSchema),
  nextCursor: z
    .string()
    .describe('Always present: pass it as `after` next time. It moves past events outside your scope too'),
});
