import { z } from 'zod';
import { storable, storedContactSchema } from '../../db/schema/contact.js';
import {
  channels,
  collectionModes,
  feedbackKinds,
  feedbackStatuses,
  fftRatings,
  formats,
  reasonCodes,
  safeguardingReasons,
  submitterRoles,
} from '../../db/schema/enums.js';
import { pageOf, pageQuerySchema } from '../../http/pagination.js';
import { publicText } from '../../http/public-text.js';
import { safeguardingStatusSchema } from '../safeguarding/safeguarding.schemas.js';
import { equalitySchema } from './equality.schemas.js';

export const feedbackKindSchema = z.enum(feedbackKinds).meta({ id: 'FeedbackKind' });
export const channelSchema = z.enum(channels).meta({ id: 'Channel' });
export const submitterRoleSchema = z.enum(submitterRoles).meta({ id: 'SubmitterRole' });
export const formatSchema = z
  .enum(formats)
  .meta({ id: 'Format', description: '`observed`: noted by staff observing someone who communicates without words' });
export const feedbackStatusSchema = z.enum(feedbackStatuses).meta({
  id: 'FeedbackStatus',
  description:
    '`received` → `in_review` (first triage) → `planned` (linked to a live action) → `actioned` (an action completed; closed), or `not_actioned` (a decision recorded; closed). Reopening puts a closed item back to `in_review`.',
});
export const reasonCodeSchema = z.enum(reasonCodes).meta({ id: 'ReasonCode' });
export const fftRatingSchema = z.enum(fftRatings).meta({
  id: 'FftRating',
  description:
    'Friends and Family Test: the answer to "Overall, how was your experience of our service?" (Very good, Good, Neither good nor poor, Poor, Very poor, Don’t know). Private to staff and auditors: never shown per item on a public surface; the FFT report and the board show it only in aggregate.',
});
export const collectionModeSchema = z
  .enum(collectionModes)
  .meta({ id: 'CollectionMode', description: 'How the FFT response was collected, as the monthly return counts it' });

export const youSaidSchema = publicText(280).describe(
  'Public-safe, plain-language summary written or approved by staff; shown on boards only with `publishConsent`',
);

export const reviewConsentSchema = z
  .boolean()
  .describe(
    'The person agreed that the lived-experience panel (reviewer keys) may read `youSaid`, kind, themes and the answer, never the text or contact; `publishConsent` implies it',
  );

export const themeCodesSchema = z
  .array(storable(z.string().min(1).max(48)))
  .max(20)
  .describe('Theme codes from the vocabulary (GET /v1/themes)');

export const contactSchema = storedContactSchema.meta({
  id: 'Contact',
  description: 'Private. Shown to staff and admin only.',
});

export const externalRefSchema = z
  .strictObject({
    system: storable(z.string().trim().min(1).max(100)).describe('The sending system, e.g. `datix`'),
    id: storable(z.string().trim().min(1).max(200)).describe('The item’s id in that system'),
  })
  .meta({
    id: 'ExternalRef',
    description:
      'Unique per system: re-sending the same one answers 409 `duplicate-external-ref`, with `existingId` when the key may read that item. It can be a patient identifier: erasure removes it, after which it no longer deduplicates.',
  });

export const decisionSchema = z
  .object({
    reasonCode: reasonCodeSchema,
    explanation: z.string().describe('Public, plain-language "We couldn’t, because …"'),
    referredTo: z.string().nullable().describe('Public: shown on the tracking page as "We have passed it on to: …"'),
    decidedAt: z.iso.datetime(),
  })
  .meta({ id: 'Decision' });

export const createDecisionSchema = z
  .strictObject({
    reasonCode: reasonCodeSchema,
    explanation: publicText(1000),
    referredTo: publicText(200)
      .optional()
      .describe(
        'Public, plain text: who the feedback was passed on to (a service or team, never a person’s name or a patient); shown on the tracking page',
      ),
  })
  .meta({ id: 'CreateDecision' });

export const reopenSchema = z
  .strictObject({
    reason: storable(z.string().trim().min(1).max(1000)).describe('Why the item is reopened (kept in its history)'),
  })
  .meta({ id: 'Reopen' });

/** The feedback item as staff and admin see it; other roles get `contact` and `text` removed (see routes). */
export const feedbackSchema = z
  .object({
    id: z.uuid(),
    reference: z.string().describe('Public tracking reference, `XXXX-XXXX` (Crockford base32)'),
    unitId: z.uuid(),
    text: z.string().nullable().optional().describe('Private. Null after erasure; in lists only with `include=text`'),
    youSaid: z.string().nullable(),
    publishConsent: z.boolean(),
    reviewConsent: reviewConsentSchema,
    kind: feedbackKindSchema.nullable(),
    channel: channelSchema.nullable(),
    submitterRole: submitterRoleSchema,
    format: formatSchema,
    themes: z.array(z.string()),
    externalRef: externalRefSchema.nullable(),
    contact: contactSchema.nullable().optional().describe('Private; staff and admin only'),
    receivedAt: z.iso.datetime(),
    dueAt: z.iso.datetime(),
    closedAt: z.iso.datetime().nullable(),
    acknowledgeBy: z.iso
      .datetime()
      .nullable()
      .describe(
        "The end (London time) of the unit's acknowledgement target, in working days after the day of receipt (weekends and England and Wales bank holidays skipped); null for items recorded before it existed",
      ),
    acknowledgedAt: z.iso
      .datetime()
      .nullable()
      .describe('The first reply sent or handed over, or the first staff triage, whichever came first'),
    status: feedbackStatusSchema,
    version: z.number().int(),
    actionIds: z.array(z.uuid()),
    decision: decisionSchema.nullable(),
    erased: z.boolean().describe('True once personal data has been erased'),
    fftRating: fftRatingSchema.nullable(),
    collectionMode: collectionModeSchema.nullable(),
    safeguarding: safeguardingStatusSchema,
    safeguardingMatches: z
      .array(z.string())
      .describe(
        'The phrases of the safeguarding list that matched the words on intake (the phrases, never the text around them); empty when none did or the item was flagged by hand. Cleared by erasure',
      ),
    safeguardingReason: z
      .enum(safeguardingReasons)
      .nullable()
      .describe(
        'Why the item was flagged, kept after it is reviewed or cleared: `phrases` (the screen matched words, in `safeguardingMatches`), `unscreened_file` (a voice note, video or picture the screen cannot read came from the public form or an intake key: a person must look at or listen to it before anything of the item can reach a public surface), `staff` (flagged by hand). Null while it never was flagged',
      ),
  })
  .meta({ id: 'Feedback' });

/**
 * What an intake key reads back of an item: enough to confirm and track it, none of the words. A
 * leaked kiosk or survey-tool key must not become a way to read what people wrote or what staff
 * summarised (`youSaid` may be an unconsented summary), nor the `externalRef`.
 */
export const feedbackReceiptSchema = feedbackSchema
  .pick({
    id: true,
    reference: true,
    unitId: true,
    status: true,
    receivedAt: true,
    dueAt: true,
    closedAt: true,
    version: true,
  })
  .meta({
    id: 'FeedbackReceipt',
    description:
      'The item as an intake key sees it: id, tracking reference, unit, status and dates. No text, `youSaid`, classification, `externalRef`, contact or decision.',
  });

/** An item as the caller's role sees it: a `Feedback` for staff, auditor and admin, a receipt for intake. */
export const feedbackViewSchema = z.union([feedbackSchema, feedbackReceiptSchema]);

export type Feedback = z.infer<typeof feedbackSchema>;
export type FeedbackReceipt = z.infer<typeof feedbackReceiptSchema>;
export type FeedbackView = Feedback | FeedbackReceipt;
export type ExternalRef = z.infer<typeof externalRefSchema>;
export type CreateDecision = z.infer<typeof createDecisionSchema>;

/** The private text: required on intake unless an FFT rating is given, never on a public surface. */
const privateText = storable(z.string().trim().max(10_000));

export const createFeedbackSchema = z
  .strictObject({
    unitId: z.uuid().describe('The unit the feedback is about; it must be visible to the key'),
    text: privateText
      .optional()
      .describe(
        'Private: the feedback as given (up to 10,000 characters). Required unless `fftRating` is given: a Friends and Family Test rating alone is a valid response, and an empty text with it counts as none',
      ),
    youSaid: youSaidSchema.optional(),
    publishConsent: z.boolean().default(false).describe('The person agreed that `youSaid` may be shown publicly'),
    reviewConsent: reviewConsentSchema.default(false),
    kind: feedbackKindSchema.optional(),
    channel: channelSchema.optional(),
    submitterRole: submitterRoleSchema.default('not_stated'),
    format: formatSchema.default('written'),
    themes: themeCodesSchema.default([]),
    contact: contactSchema.optional(),
    externalRef: externalRefSchema.optional(),
    receivedAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('When the feedback was given; not in the future; default now'),
    equality: equalitySchema.optional(),
    fftRating: fftRatingSchema.optional(),
    collectionMode: collectionModeSchema.optional(),
  })
  .refine((body) => Boolean(body.text) || body.fftRating !== undefined, {
    path: ['text'],
    message: 'Required, unless the item is a Friends and Family Test response with an fftRating',
  })
  .meta({ id: 'CreateFeedback' });

export const updateFeedbackSchema = z
  .strictObject({
    youSaid: youSaidSchema.nullable().optional().describe('Null clears it'),
    publishConsent: z.boolean().optional(),
    reviewConsent: reviewConsentSchema.optional(),
    themes: themeCodesSchema.optional(),
    kind: feedbackKindSchema.optional(),
    channel: channelSchema.optional(),
    submitterRole: submitterRoleSchema.optional(),
    format: formatSchema.optional(),
    fftRating: fftRatingSchema
      .nullable()
      .optional()
      .describe(
        'Corrects the FFT rating (audited, with the old and new value); null clears it, refused for a response that is a rating alone. The FFT report’s `asOf` still reproduces figures from before the correction',
      ),
    collectionMode: collectionModeSchema.nullable().optional().describe('Corrects how the FFT response was collected'),
  })
  .refine((body) => Object.keys(body).length > 0, 'Send at least one field to change')
  .meta({
    id: 'UpdateFeedback',
    description:
      'Triage edits. Status moves through actions, decisions and reopen; `text`, `unitId`, `reference` and dates are fixed.',
  });

const booleanQuery = z
  .enum(['true', 'false'])
  .transform((value) => value === 'true')
  .optional();

export const listFeedbackQuerySchema = pageQuerySchema.extend({
  unitId: z.uuid().optional().describe('This unit and its descendants'),
  status: feedbackStatusSchema.optional(),
  kind: feedbackKindSchema.optional(),
  channel: channelSchema.optional(),
  theme: z.string().min(1).max(48).optional().describe('Items carrying this theme code'),
  receivedFrom: z.iso.datetime({ offset: true }).optional().describe('Received at or after'),
  receivedTo: z.iso.datetime({ offset: true }).optional().describe('Received before'),
  overdue: booleanQuery.describe('`true`: open items past `dueAt`'),
  overdueAcknowledgement: booleanQuery.describe(
    '`true`: items not yet acknowledged (`acknowledgedAt` null) whose `acknowledgeBy` has passed; `false`: all others',
  ),
  safeguarding: safeguardingStatusSchema
    .optional()
    .describe(
      '`flagged`: the items waiting for a person to look at them after the safeguarding screen. Only for roles that may read private text (staff, auditor, admin): an intake key gets 403',
    ),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe(
      'Words in `text` or `youSaid` (full-text search). Only for roles that may read private text (staff, auditor, admin): an intake key gets 403',
    ),
  include: z
    .enum(['text'])
    .optional()
    .describe('`text`: include the private text (staff, auditor, admin; each such read is audited)'),
});

export const feedbackParamsSchema = z.object({ id: z.uuid() });

export const setSafeguardingSchema = z
  .strictObject({
    status: z
      .enum(['flagged', 'reviewed', 'cleared'])
      .describe(
        '`reviewed`: a person looked and acted as needed; `cleared`: a person looked and there was no concern; `flagged`: flag the item by hand (or again)',
      ),
    note: storable(z.string().trim().min(1).max(1000))
      .optional()
      .describe('Private: why, for the audit trail (staff and auditors only); never shown publicly'),
  })
  .meta({ id: 'SetSafeguarding' });

export type SetSafeguarding = z.infer<typeof setSafeguardingSchema>;

export const feedbackPageSchema = pageOf(
  feedbackViewSchema,
  '`Feedback` items, or for an intake key `FeedbackReceipt`s',
).meta({ id: 'FeedbackPage' });

export type CreateFeedback = z.infer<typeof createFeedbackSchema>;
export type UpdateFeedback = z.infer<typeof updateFeedbackSchema>;
export type ListFeedbackQuery = z.infer<typeof listFeedbackQuerySchema>;
