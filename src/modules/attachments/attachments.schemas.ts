import { z } from 'zod';
import { pageOf, pageQuerySchema } from '../../http/pagination.js';

export const attachmentSchema = z
  .object({
    id: z.uuid(),
    mediaType: z
      .string()
      .describe('What the bytes are, read from the file itself (never its name or the uploader’s header)'),
    size: z.number().int().min(1).describe('Bytes'),
    createdAt: z.iso.datetime(),
  })
  .meta({
    id: 'Attachment',
    description: 'A voice note, video or picture attached to a feedback item. Private, like the text.',
  });

export type Attachment = z.infer<typeof attachmentSchema>;

export const attachmentPageSchema = pageOf(attachmentSchema).meta({ id: 'AttachmentPage' });

export const attachmentParamsSchema = z.object({ id: z.uuid(), attachmentId: z.uuid() });

export const listAttachmentsQuerySchema = pageQuerySchema;
export type ListAttachmentsQuery = z.infer<typeof listAttachmentsQuerySchema>;
