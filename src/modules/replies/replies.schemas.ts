import { z } from 'zod';
import { replyChannels, replyKinds, replyStatuses } from '../../db/schema/enums.js';
import { pageOf, pageQuerySchema } from '../../http/pagination.js';

export const replyKindSchema = z.enum(replyKinds).meta({
  id: 'ReplyKind',
  description: '`acknowledgement`: written when the item is received; `answer`: written each time it closes',
});
export const replyChannelSchema = z.enum(replyChannels).meta({
  id: 'ReplyChannel',
  description:
    'How the reply reaches the person. `in_person`: staff print the slip (GET …/slip) and hand it over, then record it (POST …/handed-over); chosen whenever sending cannot meet a need (`supportNeeded`)',
});
export const replyStatusSchema = z.enum(replyStatuses).meta({
  id: 'ReplyStatus',
  description:
    '`queued`: waiting to be sent, or for an in-person reply to be handed over; `sent`: the provider accepted it; `handed_over`: staff gave the slip to the person; `failed`: the provider refused it for good (`lastError` says why); `undeliverable`: no provider is configured for its channel (`lastError` says so); `cancelled`: the item was erased before it went',
});

/**
 * A reply to the person as staff see it: what was (or will be) sent, how and how it went. No address
 * and no message words: the reply row holds neither (the slip page shows the words).
 */
export const replySchema = z
  .object({
    id: z.uuid(),
    feedbackId: z.uuid(),
    kind: replyKindSchema,
    channel: replyChannelSchema,
    status: replyStatusSchema,
    attempts: z.int().min(0).describe('Sending attempts so far (0 for an in-person reply)'),
    createdAt: z.iso.datetime().describe('When the reply was written: with the receipt or the close it tells of'),
    sentAt: z.iso.datetime().nullable().describe('When the provider accepted it'),
    handedOverAt: z.iso.datetime().nullable().describe('When staff recorded giving the slip to the person'),
    lastError: z
      .string()
      .nullable()
      .describe('Why the last attempt failed, or why the reply cannot be sent (no provider for its channel)'),
    supportNeeded: z
      .string()
      .nullable()
      .describe(
        'Private. What the person needs that sending cannot give (e.g. "British Sign Language (BSL); language: cy"): why this reply is in person',
      ),
    easyRead: z.boolean().describe('The words are in Easy Read (short sentences, one idea each)'),
    largePrint: z.boolean().describe('The slip and letters are in large print'),
  })
  .meta({ id: 'Reply' });

export type Reply = z.infer<typeof replySchema>;

export const replyPageSchema = pageOf(replySchema, 'Oldest first: the acknowledgement, then each answer');

export const listRepliesQuerySchema = pageQuerySchema;
export type ListRepliesQuery = z.output<typeof listRepliesQuerySchema>;

export const replyParamsSchema = z.object({
  id: z.uuid().describe('The feedback item'),
  replyId: z.uuid().describe('The reply'),
});

export const paperSizes = ['a5', 'a4'] as const;
export type Paper = (typeof paperSizes)[number];

/** The slip's options, the same on the API's route and the console's. */
export const slipQuerySchema = z.object({
  paper: z
    .enum(paperSizes)
    .optional()
    .describe('Paper size to print on: `a5` (default) or `a4` (default for large print)'),
});
