import { z } from 'zod';
import { recommendationStatuses } from '../../db/schema/enums.js';
import { pageOf, pageQuerySchema } from '../../http/pagination.js';
import { publicText } from '../../http/public-text.js';
import { themeCodesSchema } from '../feedback/feedback.schemas.js';

export const recommendationStatusSchema = z.enum(recommendationStatuses).meta({
  id: 'RecommendationStatus',
  description:
    '`proposed` (made by the panel) → `accepted` (staff answer it with actions) → `done` (every linked action completed; back to `accepted` if one no longer is), or `declined` (staff say why, publicly).',
});

export const recommendationSchema = z
  .object({
    id: z.uuid(),
    unitId: z.uuid(),
    title: z
      .string()
      .describe('Public once staff answer it: shown on boards as "Our lived experience panel recommended …"'),
    text: z.string().describe('The panel’s recommendation in full; for the panel and staff, not shown on boards'),
    feedbackIds: z.array(z.uuid()).describe('The de-identified feedback items it draws on'),
    themes: z.array(z.string()),
    status: recommendationStatusSchema,
    response: z
      .string()
      .nullable()
      .describe('Public, plain language: why it was declined ("We couldn’t, because …"); null otherwise'),
    actionIds: z.array(z.uuid()).describe('The actions that answer it, once accepted'),
    createdAt: z.iso.datetime(),
    respondedAt: z.iso.datetime().nullable().describe('When staff first accepted or declined it'),
    doneAt: z.iso.datetime().nullable().describe('When its last linked action was completed'),
    version: z.number().int(),
  })
  .meta({
    id: 'Recommendation',
    description:
      'What the lived-experience panel recommended for a unit, and the ward’s answer. Who made it is never shown: the panel speaks as a group.',
  });

export const createRecommendationSchema = z
  .strictObject({
    unitId: z.uuid().describe('The ward, service or team it is for; in the key’s unit scope'),
    title: publicText(200).describe('A short, plain-language recommendation, without names'),
    text: publicText(4000).describe('The recommendation in full: what the panel learnt and what it asks for'),
    feedbackIds: z
      .array(z.uuid())
      .max(200)
      .optional()
      .describe('Items the key may read in GET /v1/review/feedback, about this unit or the units below it'),
    themes: themeCodesSchema.optional(),
  })
  .meta({ id: 'CreateRecommendation' });

export const acceptRecommendationSchema = z
  .strictObject({
    actionIds: z
      .array(z.uuid())
      .min(1)
      .max(100)
      .describe(
        'Existing actions of the unit or the units below it that answer it (create new ones with POST /v1/actions first), not cancelled. Accepting an accepted recommendation again replaces its actions, for example one that was cancelled',
      ),
  })
  .meta({ id: 'AcceptRecommendation' });

export const declineRecommendationSchema = z
  .strictObject({
    response: publicText(1000).describe(
      'Public, plain language: why the ward cannot do it ("We couldn’t, because …"); shown on the board',
    ),
  })
  .meta({ id: 'DeclineRecommendation' });

export const recommendationParamsSchema = z.object({ id: z.uuid() });

export const listRecommendationsQuerySchema = pageQuerySchema.extend({
  unitId: z.uuid().optional().describe('This unit and its descendants'),
  status: recommendationStatusSchema.optional(),
  mine: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .describe('`true`: only those made with this key (or by this signed-in reviewer): "my recommendations"'),
  theme: z.string().min(1).max(48).optional().describe('Recommendations carrying this theme code'),
  createdFrom: z.iso.datetime({ offset: true }).optional().describe('Made at or after'),
  createdTo: z.iso.datetime({ offset: true }).optional().describe('Made before'),
});

export const recommendationPageSchema = pageOf(recommendationSchema).meta({ id: 'RecommendationPage' });

export type Recommendation = z.infer<typeof recommendationSchema>;
export type CreateRecommendation = z.infer<typeof createRecommendationSchema>;
export type AcceptRecommendation = z.infer<typeof acceptRecommendationSchema>;
export type DeclineRecommendation = z.infer<typeof declineRecommendationSchema>;
export type ListRecommendationsQuery = z.infer<typeof listRecommendationsQuerySchema>;
