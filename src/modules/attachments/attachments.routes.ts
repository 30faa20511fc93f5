import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem, problemResponse } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import { feedbackParamsSchema } from '../feedback/feedback.schemas.js';
import {
  attachmentPageSchema,
  attachmentParamsSchema,
  attachmentSchema,
  listAttachmentsQuerySchema,
} from './attachments.schemas.js';
import { attachToFeedback, downloadAttachment, listAttachments } from './attachments.service.js';
import { readingMultipart, stageUpload } from './attachments.upload.js';

/** Voice notes, videos and pictures on an item: trust systems attach them, staff list and download them. */
export const attachmentsRoutes: FastifyPluginAsyncZod = async (app) => {
  const maxBytes = app.config.ATTACHMENT_MAX_BYTES;
  // stageUpload sees the stream cut at the limit and answers 413 naming the setting at once.
  await app.register(multipart, {
    limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1024 },
    throwFileSizeLimit: false,
  });

  app.post('/feedback/:id/attachments', {
    config: { auth: { roles: ['staff', 'intake'] }, noStore: true },
    schema: {
      operationId: 'addFeedbackAttachment',
      tags: ['feedback'],
      summary: 'Attach a voice note, video or picture to an item (multipart/form-data, one file)',
      description:
        'Send one file part (any field name) as `multipart/form-data`. The file is streamed into the database in 256 KB chunks as it arrives (never held whole in memory) and becomes visible only once it has all arrived; an upload that fails or is cut off leaves nothing. Its type is read from its bytes (file-type), never from the file name or the part’s Content-Type: only audio, video and image files are accepted (415 otherwise, e.g. a program named `voice.mp3`). Larger than ATTACHMENT_MAX_BYTES (default 25 MB) answers 413 as soon as the limit is passed. An intake key may attach only to an item it created; an item outside the key’s scope, or erased, answers 404. The safeguarding screen reads words only, so a file an intake key attaches flags the item (`safeguardingReason: unscreened_file`, announced as `feedback.safeguarding`) for a person to look at or listen to before anything of it reaches a public surface; a file staff attach flags nothing.',
      params: feedbackParamsSchema,
      consumes: ['multipart/form-data'],
      response: {
        201: attachmentSchema.describe('Stored'),
        400: problemResponse('No file part was sent (`validation-error`)'),
        413: problemResponse('The file is larger than ATTACHMENT_MAX_BYTES (`payload-too-large`)'),
        415: problemResponse('Not multipart, or the bytes are not audio, video or an image (`unsupported-media-type`)'),
      },
    },
    handler: async (request, reply) => {
      if (!request.isMultipart()) {
        throw new HttpProblem('unsupported-media-type', 'Send the file as multipart/form-data');
      }
      const attachment = await attachToFeedback(app.db, principalOf(request), request.params.id, () =>
        readingMultipart(async () => {
          const file = await request.file();
          try {
            return file && (await stageUpload(app.db, file, maxBytes));
          } catch (error) {
            // Answer now, without reading the rest of a refused file: the connection closes behind the answer.
            reply.header('connection', 'close');
            throw error;
          }
        }),
      );
      if (!attachment) {
        throw new HttpProblem('validation-error', 'Send one non-empty file part', {
          errors: [{ in: 'body', path: '/file', message: 'Required: one non-empty file' }],
        });
      }
      return reply
        .code(201)
        .header('location', `/v1/feedback/${request.params.id}/attachments/${attachment.id}`)
        .send(attachment);
    },
  });

  app.get('/feedback/:id/attachments', {
    config: { auth: { roles: ['staff'] }, noStore: true },
    schema: {
      operationId: 'listFeedbackAttachments',
      tags: ['feedback'],
      summary: 'The voice notes, videos and pictures attached to an item (not their bytes)',
      description:
        'Oldest first. Staff and admin only: attachments are private, like the text. An item outside the key’s scope answers 404.',
      params: feedbackParamsSchema,
      querystring: listAttachmentsQuerySchema,
      response: { 200: attachmentPageSchema },
    },
    handler: async (request) => listAttachments(app.db, principalOf(request), request.params.id, request.query),
  });

  app.get('/feedback/:id/attachments/:attachmentId', {
    config: { auth: { roles: ['staff'] }, noStore: true },
    schema: {
      operationId: 'getFeedbackAttachment',
      tags: ['feedback'],
      summary: 'Download one attachment (the download is audited, like a read of the text)',
      description:
        'The bytes, streamed from the database chunk by chunk, with `Content-Type` the type read from them at upload, `Content-Disposition: attachment` (never shown inline by a browser), `X-Content-Type-Options: nosniff` and `Cache-Control: no-store`. Each download writes an `attachment_read` audit entry. Staff and admin only; outside the key’s scope 404.',
      params: attachmentParamsSchema,
      response: {
        200: {
          description: 'The file',
          content: { 'application/octet-stream': { schema: z.string().describe('The bytes') } },
        },
      },
    },
    handler: async (request, reply) => {
      const file = await downloadAttachment(
        app.db,
        principalOf(request),
        request.params.id,
        request.params.attachmentId,
      );
      const extension = file.mediaType.split('/')[1]?.replace(/[^a-z0-9]/g, '') ?? 'bin';
      return (
        reply
          .type(file.mediaType)
          .header(
            'content-disposition',
            `attachment; filename="attachment-${request.params.attachmentId}.${extension}"`,
          )
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'no-store')
          .header('content-length', String(file.size))
          // A stream is sent as it is: Fastify never runs a serializer over it.
          .send(file.stream as unknown as string)
      );
    },
  });
};
