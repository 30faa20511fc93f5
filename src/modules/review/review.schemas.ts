import { z } from 'zod';
import { pageOf, pageQuerySchema } from '../../http/pagination.js';
import {
  channelSchema,
  feedbackKindSchema,
  feedbackParamsSchema,
  feedbackStatusSchema,
} from '../feedback/feedback.schemas.js';
import { publicAnswerSchema } from '../tracking/tracking.service.js';

export const reviewFeedbackQuerySchema = pageQuerySchema.extend({
  unitId: z.uuid().optional().describe('This unit and its descendants (within the key’s own scope)'),
  status: feedbackStatusSchema.optional(),
  kind: feedbackKindSchema.optional(),
  channel: channelSchema.optional(),
  theme: z.string().min(1).max(48).optional().describe('Items carrying this theme code'),
  receivedFrom: z.iso.datetime({ offset: true }).optional().describe('Received at or after'),
  receivedTo: z.iso.datetime({ offset: true }).optional().describe('Received before'),
});

/**
 * One feedback item as the lived-experience panel reads it: built field by field from public-safe
 * columns, so the words people wrote, their contact details, equality answers and attachments can
 * never reach a reviewer by default.
 */
export const reviewItemSchema = z
  .object({
    id: z.uuid().describe('Quote it in `feedbackIds` when recommending'),
    unitId: z.uuid(),
    unitName: z.string(),
    youSaid: z.string().describe('The plain-language summary staff wrote; never the person’s own words'),
    kind: feedbackKindSchema.nullable(),
    themes: z.array(z.string()),
    channel: channelSchema.nullable(),
    status: feedbackStatusSchema,
    receivedAt: z.iso.datetime(),
    dueAt: z.iso.datetime(),
    closedAt: z.iso.datetime().nullable(),
    answer: publicAnswerSchema
      .nullable()
      .describe('What the ward did, is doing or why it could not, as the tracking page shows it; null until then'),
  })
  .meta({
    id: 'ReviewItem',
    description:
      'De-identified feedback for the lived-experience panel. Only items whose person agreed to publication or to panel review (`reviewConsent`), with a `youSaid`, not erased and not waiting for a safeguarding review.',
  });

export const reviewPageSchema = pageOf(reviewItemSchema).meta({ id: 'ReviewItemPage' });
export const reviewParamsSchema = feedbackParamsSchema;

export type ReviewFeedbackQuery = z.infer<typeof reviewFeedbackQuerySchema>;
export type ReviewItem = z.infer<typeof reviewItemSchema>;
