import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { type FastifyPluginAsyncZod, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem, problemKinds, problemResponse, problemTypeUri } from '../../http/problems.js';
import { principalOf } from '../auth/auth.plugin.js';
import { type CsvRow, readFeedbackCsv } from './feedback-batch.csv.js';
import {
  type BatchResult,
  batchBodyLimit,
  batchEnvelopeSchema,
  batchResultsSchema,
  createFeedbackBatchSchema,
  feedbackCsvSchema,
  importBodyLimit,
  maxImportRows,
} from './feedback-batch.schemas.js';
import { createFeedbackBatch, type ItemOutcome, importFeedback } from './feedback-batch.service.js';

/**
 * A validator for a route whose documented body is not what it checks: the OpenAPI document (and
 * the typed client made from it) shows the documented schema, requests are checked by this one.
 */
const bodyCheckedBy =
  (schema: z.ZodType) =>
  <T>(route: Parameters<FastifySchemaCompiler<T>>[0]) =>
    validatorCompiler({ ...route, schema });

function resultOf(request: FastifyRequest, outcome: ItemOutcome, index: number): BatchResult {
  if (!(outcome instanceof HttpProblem)) return { index, status: 201, id: outcome.id, reference: outcome.reference };
  return {
    index,
    status: outcome.status,
    problem: {
      type: problemTypeUri(outcome.kind),
      title: problemKinds[outcome.kind].title,
      status: outcome.status,
      detail: outcome.message,
      instance: request.url.split('?')[0],
      requestId: String(request.id),
      ...outcome.extras,
    },
  };
}

const perItem =
  'Each item is checked and recorded on its own, exactly as POST /v1/feedback would: one bad item never stops the others, and no item is half-written. `results` holds one entry per item, in order, with the `status` the single call would have answered (201, 400, 409) and either `id` and `reference` or that call’s `problem`. Re-sending is safe when items carry `externalRef`: those already recorded answer 409 `duplicate-external-ref` (with `existingId` only when the key may read that item: in its unit scope and, for an intake key, created by it), and so does a later item of the same request repeating an earlier one’s externalRef.';

export const feedbackBatchRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/feedback/batch', {
    bodyLimit: batchBodyLimit,
    config: { auth: { roles: ['intake', 'staff'] }, noStore: true },
    // Only the envelope is checked up front: each item's problems become that item's result.
    validatorCompiler: bodyCheckedBy(batchEnvelopeSchema),
    schema: {
      operationId: 'createFeedbackBatch',
      tags: ['feedback'],
      summary: 'Record up to 1,000 feedback items in one request, with a result per item',
      description: `${perItem} More than 1,000 items, or a body that is not \`{ "items": [...] }\`, answers 400. The body may be up to ${batchBodyLimit / 1024 / 1024} MiB: room for 1,000 items with every field at its longest.`,
      body: createFeedbackBatchSchema,
      response: {
        200: batchResultsSchema.describe('A result per item, whatever each one’s fate'),
        413: problemResponse(`\`payload-too-large\`: the body is over ${batchBodyLimit / 1024 / 1024} MiB`),
      },
    },
    handler: async (request) => {
      // The validator passed the items through unchecked: they are checked one by one.
      const items: readonly unknown[] = request.body.items;
      const outcomes = await createFeedbackBatch(app.db, principalOf(request), items, 'batch');
      return { results: outcomes.map((outcome, index) => resultOf(request, outcome, index)) };
    },
  });

  await app.register(feedbackImportRoute);
};

/** Its own scope, because it reads text/csv and nothing else: JSON or any other type answers 415. */
const feedbackImportRoute: FastifyPluginAsyncZod = async (app) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('text/csv', async (request: FastifyRequest, payload: FastifyRequest['raw']) => {
    if (Number(request.headers['content-length']) > importBodyLimit) {
      throw new HttpProblem('payload-too-large', `The CSV is larger than ${importBodyLimit} bytes`);
    }
    return readFeedbackCsv(payload, { maxBytes: importBodyLimit, maxRows: maxImportRows });
  });

  app.post('/feedback/import', {
    config: { auth: { roles: ['intake', 'staff'] }, noStore: true },
    // The text/csv parser has read the rows; this only refuses a request that sent no body at all.
    validatorCompiler: bodyCheckedBy(z.array(z.unknown(), { error: 'Send the CSV file as the body, as text/csv' })),
    schema: {
      operationId: 'importFeedback',
      tags: ['feedback'],
      summary: 'Import feedback from a CSV export (such as the Friends and Family Test), with a result per row',
      description: `Each data row is an item of POST /v1/feedback/batch, written in sets of 1,000. ${perItem} Each result also carries the CSV \`line\` its row starts on. A bad header or malformed CSV answers 400 naming the column or the line; nothing is recorded then.`,
      consumes: ['text/csv'],
      body: feedbackCsvSchema,
      response: {
        200: batchResultsSchema.describe('A result per data row, whatever each one’s fate'),
        413: problemResponse(
          `\`payload-too-large\`: more than ${maxImportRows} data rows, or a body over ${importBodyLimit / 1024 / 1024} MiB`,
        ),
        415: problemResponse('`unsupported-media-type`: the body is not `text/csv`'),
      },
    },
    handler: async (request) => {
      // The scope's text/csv parser turned the body into rows.
      const rows = request.body as unknown as CsvRow[];
      const outcomes = await importFeedback(app.db, principalOf(request), rows);
      return {
        results: outcomes.map((outcome, index) => ({ ...resultOf(request, outcome, index), line: rows[index]!.line })),
      };
    },
  });
};
