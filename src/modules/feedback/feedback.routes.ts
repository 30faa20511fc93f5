import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dataAsOfHeader, sendsDataAsOf } from '../../http/data-as-of.js';
import { editIfMatchHeadersSchema, editPreconditionResponses, etagOf } from '../../http/etag.js';
import { idempotencyKeyHeaderSchema, requestHash } from '../../http/idempotency.js';
import { problemResponse } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import {
  createFeedbackSchema,
  feedbackPageSchema,
  feedbackParamsSchema,
  feedbackSchema,
  feedbackViewSchema,
  listFeedbackQuerySchema,
  updateFeedbackSchema,
} from './feedback.schemas.js';
import { eraseFeedback, updateFeedback } from './feedback-edit.service.js';
import { intakeQueue } from './feedback-intake.queue.js';
import { listFeedback, readFeedbackItem } from './feedback-read.service.js';

const createHeadersSchema = z.looseObject({ 'idempotency-key': idempotencyKeyHeaderSchema });
export const feedbackRoutes: FastifyPluginAsyncZod = async (app) => {
  // Concurrent requests share commits: one group prepares its rows while the one before commits.
  const intake = intakeQueue(app.db, { maxGroups: 2 });
  app.post('/feedback', {
    config: { auth: { roles: ['intake', 'staff'] }, noStore: true },
    schema: {
      operationId: 'createFeedback',
      tags: ['feedback'],
      summary: 'Record a piece of feedback ("You said"); returns its tracking reference',
      description:
        'The unit must be visible to the key. `dueAt` is `receivedAt` plus the unit’s response target. An `externalRef` already recorded answers 409 `duplicate-external-ref`, with `existingId` when that item is one the key may read (in its unit scope; for an intake key, one it created). The private `text` is not echoed back. Staff get the `Feedback`; an intake key gets a `FeedbackReceipt` (id, reference, unit, status, dates), never the words it sent.',
      headers: createHeadersSchema,
      body: createFeedbackSchema,
      response: {
        201: feedbackViewSchema.describe(
          'Created; `Location` names the item. `Feedback` for staff, `FeedbackReceipt` for an intake key',
        ),
        409: problemResponse(
          '`duplicate-external-ref` (with `existingId` only when the key may read that item), or `idempotency-in-flight` for a claim of this Idempotency-Key left without a response',
        ),
        422: problemResponse('`idempotency-key-reused`: the Idempotency-Key was used with a different body'),
      },
    },
    handler: async (request, reply) => {
      const principal = principalOf(request);
      const key = request.headers['idempotency-key'];
      const result = await intake.submit({
        principal,
        input: request.body,
        idempotency:
          key === undefined
            ? undefined
            : { apiKeyId: principal.keyId, key, requestHash: requestHash('POST /v1/feedback', request.body) },
        respond: (item) => ({
          status: 201,
          body: item,
          headers: { location: `/v1/feedback/${item.id}`, etag: etagOf(item.version) },
        }),
      });
      return reply
        .code(result.status as 201)
        .headers(result.headers)
        .send(result.body);
    },
  });

  app.get('/feedback', {
    config: { auth: { roles: ['staff', 'auditor', 'intake'] }, noStore: true },
    schema: {
      operationId: 'listFeedback',
      tags: ['feedback'],
      summary: 'List feedback, newest first, with filters and cursor paging',
      description:
        'Scoped to the key’s unit subtree. What each role reads: staff and admin the whole `Feedback` with `contact`; an auditor the `Feedback` without `contact`; an intake key only the items it created, each as a `FeedbackReceipt` (id, reference, unit, status, dates). `text` only with `include=text`, and the full-text `q` search over it, for the roles that may read text (staff, auditor, admin; `include=text` is audited); an intake key asking for either gets 403.',
      querystring: listFeedbackQuerySchema,
      response: {
        200: {
          description: 'A page of feedback; for an auditor, `Data-As-Of` says how fresh it is',
          headers: dataAsOfHeader,
          content: { 'application/json': { schema: feedbackPageSchema } },
        },
      },
    },
    // The page is built field by field in the schema's order (toFeedback, viewFor), so it is written
    // as it is: checking it again with zod cost about a sixth of the page's CPU in the service.
    serializerCompiler: () => (page) => JSON.stringify(page),
    handler: async (request, reply) => {
      const { dataAsOf, ...page } = await listFeedback(app.reads, principalOf(request), request.query);
      if (dataAsOf) sendsDataAsOf(reply, dataAsOf);
      return page;
    },
  });

  app.get('/feedback/:id', {
    config: { auth: { roles: ['staff', 'auditor', 'intake'] }, noStore: true },
    schema: {
      operationId: 'getFeedback',
      tags: ['feedback'],
      summary: 'Read one feedback item, with its private text (the read is audited)',
      description:
        'Staff and admin read the whole item with `text` and `contact`; an auditor the item with `text` but without `contact`; an intake key only an item it created, as a `FeedbackReceipt` (id, reference, unit, status, dates). Text and contact reads are recorded in the audit trail. `ETag` carries the version to send as `If-Match` when editing. An item outside the key’s unit scope answers 404.',
      params: feedbackParamsSchema,
      response: {
        200: feedbackViewSchema.describe(
          'The item (`Feedback`, or `FeedbackReceipt` for an intake key); `ETag` carries its version',
        ),
      },
    },
    handler: async (request, reply) => {
      const item = await readFeedbackItem(app.db, principalOf(request), request.params.id);
      return reply.header('etag', etagOf(item.version)).send(item);
    },
  });

  app.patch('/feedback/:id', {
    config: { auth: { roles: ['staff'] }, noStore: true },
    schema: {
      operationId: 'updateFeedback',
      tags: ['feedback'],
      summary: 'Triage: edit youSaid, consent, themes and classification',
      description:
        '`If-Match` is required: the ETag you read (a stale one answers 412), or `*` to overwrite deliberately; without it 428 (`precondition-required`), so two people triaging at once never silently overwrite each other. The first edit of a `received` item moves it to `in_review`. An edit that changes no stored value changes nothing: same version, no `feedback.updated` event, no audit entry, and a `received` item stays `received`. Read-only or unknown fields answer 400 naming them.',
      params: feedbackParamsSchema,
      headers: editIfMatchHeadersSchema,
      body: updateFeedbackSchema,
      response: {
        200: feedbackSchema.describe('The updated item; `ETag` carries its new version'),
        ...editPreconditionResponses,
      },
    },
    handler: async (request, reply) => {
      const item = await updateFeedback(
        app.db,
        principalOf(request),
        request.params.id,
        request.body,
        request.headers['if-match'],
      );
      return reply.header('etag', etagOf(item.version)).send(item);
    },
  });

  app.post('/feedback/:id/erase', {
    config: { auth: { roles: [] }, noStore: true },
    schema: {
      operationId: 'eraseFeedback',
      tags: ['feedback'],
      summary: 'Erase the personal data of an item for good, keeping its counts and history',
      description:
        'Removes `text`, `contact`, the equality answers, the `externalRef` (it can be a patient identifier), and `youSaid` unless the person consented to its publication. Status, dates, unit, kind, channel and themes stay. An erased item no longer deduplicates: re-sending its externalRef records a new item, so erase it at the source too. Erasing again changes nothing.',
      params: feedbackParamsSchema,
      response: { 200: feedbackSchema.describe('The erased item') },
    },
    handler: async (request, reply) => {
      const item = await eraseFeedback(app.db, principalOf(request), request.params.id);
      return reply.header('etag', etagOf(item.version)).send(item);
    },
  });
};
