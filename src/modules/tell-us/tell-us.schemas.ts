import { z } from 'zod';
import { storable } from '../../db/schema/contact.js';
import { equalitySchema } from '../feedback/equality.schemas.js';
import {
  contactSchema,
  feedbackKindSchema,
  feedbackReceiptSchema,
  fftRatingSchema,
  submitterRoleSchema,
} from '../feedback/feedback.schemas.js';

/** The most a person may write, whatever TELL_US_MAX_TEXT_CHARS says: what intake itself takes. */
const textCeiling = 10_000;

/**
 * What a person may send: their own words and answers, never what only staff set (`status`,
 * `youSaid`, themes, `externalRef`, `receivedAt`, channel or format). Strict, so any other field is
 * a 400 naming it. Room is left for an attachment and a safeguarding result beside it later.
 */
export const publicFeedbackFieldsSchema = z.strictObject({
  text: storable(z.string().trim().min(1).max(textCeiling))
    .optional()
    .describe(
      'What the person wants to tell the unit (at most TELL_US_MAX_TEXT_CHARS characters, default 5,000). Required unless `fftRating` is given',
    ),
  kind: feedbackKindSchema.optional(),
  fftRating: fftRatingSchema.optional(),
  submitterRole: submitterRoleSchema.default('not_stated'),
  publishConsent: z
    .boolean()
    .default(false)
    .describe(
      'The person agrees that a short summary, written by staff in plain words without names, may be shown on the ward board',
    ),
  reviewConsent: z
    .boolean()
    .default(false)
    .describe(
      'The person agrees that the ward’s lived-experience panel may read that summary (never their words or details) to recommend improvements',
    ),
  contact: contactSchema.optional(),
  equality: equalitySchema.optional(),
  altcha: storable(z.string().max(20_000))
    .optional()
    .describe(
      'A solved proof-of-work (ALTCHA payload, from GET /tell-us/challenge). Without one, the stricter hourly limit applies',
    ),
});

/** What a person may send (the fields above), with text or an FFT rating: a file, on the form, may stand for the text. */
export const publicFeedbackSchema = publicFeedbackFieldsSchema
  .refine((body) => body.text !== undefined || body.fftRating !== undefined, {
    path: ['text'],
    message: 'Required, unless an fftRating is given',
  })
  .meta({
    id: 'PublicFeedback',
    description:
      'Feedback from a person, sent by an app without an API key. Fields only staff may set (status, youSaid, themes, externalRef) are refused.',
  });

export type PublicFeedback = z.infer<typeof publicFeedbackSchema>;

export const publicFeedbackReceiptSchema = feedbackReceiptSchema
  .pick({ reference: true, receivedAt: true, dueAt: true })
  .extend({ trackUrl: z.url().describe('Where the person follows their feedback') })
  .meta({
    id: 'PublicFeedbackReceipt',
    description: 'The tracking reference to give the person, and where to follow it. Nothing else of the item.',
  });

export type PublicFeedbackReceipt = z.infer<typeof publicFeedbackReceiptSchema>;
