import { z } from 'zod';
import { storable } from '../../db/schema/contact.js';
import { followUpAnswers } from '../../db/schema/enums.js';
import { pageOf, pageQuerySchema } from '../../http/pagination.js';
import { feedbackStatusSchema } from '../feedback/feedback.schemas.js';

export const followUpAnswerSchema = z.enum(followUpAnswers).meta({
  id: 'FollowUpAnswer',
  description: '"Did this answer you?" `yes`, `partly` or `no`; `no` reopens the item',
});

/** The longest comment kept: room to explain, short enough that it stays a comment. */
export const followUpCommentMaxLength = 2000;

export const followUpCommentSchema = storable(z.string().trim().max(followUpCommentMaxLength))
  .optional()
  .describe(
    `Private, optional (up to ${followUpCommentMaxLength} characters): what the person wants to add. Read by staff only (GET /v1/feedback/{id}/follow-ups); never on the feed, webhooks, the audit trail or any public page`,
  );

export const createFollowUpSchema = z
  .strictObject({ answer: followUpAnswerSchema, comment: followUpCommentSchema })
  .meta({ id: 'CreateFollowUp' });

export type CreateFollowUp = z.infer<typeof createFollowUpSchema>;

/** What the person is told back: nothing they did not send, and where their feedback now stands. */
export const followUpReceiptSchema = z
  .object({
    reference: z.string().describe('`XXXX-XXXX`'),
    answer: followUpAnswerSchema,
    answeredAt: z.iso.datetime(),
    status: feedbackStatusSchema.describe('The item’s status after the answer: `in_review` when a `no` reopened it'),
    reopened: z.boolean().describe('True when the answer was `no` and the item was reopened to look at it again'),
  })
  .meta({ id: 'FollowUpReceipt' });

export type FollowUpReceipt = z.infer<typeof followUpReceiptSchema>;

/** A follow-up as staff see it, with the private comment. */
export const followUpSchema = z
  .object({
    id: z.uuid(),
    feedbackId: z.uuid(),
    answer: followUpAnswerSchema,
    comment: z
      .string()
      .nullable()
      .describe('Private: what the person added, if anything (removed by erasure). Reading one is audited'),
    answeredAt: z.iso.datetime(),
    closedAt: z.iso.datetime().describe('When the item closed with the answer this follow-up is about'),
    replyId: z
      .uuid()
      .nullable()
      .describe('The answer reply sent for that close (GET /v1/feedback/{id}/replies), when the person wanted one'),
  })
  .meta({ id: 'FollowUp' });

export type FollowUp = z.infer<typeof followUpSchema>;

export const followUpPageSchema = pageOf(followUpSchema, 'Oldest first: one per close of the item at most');

export const listFollowUpsQuerySchema = pageQuerySchema;
export type ListFollowUpsQuery = z.output<typeof listFollowUpsQuerySchema>;
