import { z } from 'zod';
import { problemSchema } from '../../http/problems.js';
import { createFeedbackSchema } from './feedback.schemas.js';
import { feedbackCsvColumns } from './feedback-batch.csv.js';

/** The most items one batch carries; an import is written in sets of this size. */
export const maxBatchItems = 1000;

/**
 * Room for 1,000 items with every field at its maximum length in 3-byte UTF-8 characters: about
 * 35 kB an item (30 kB of it the text), so 36 MiB. JSON that escapes such characters as `\uXXXX`
 * takes twice as much; send UTF-8.
 */
export const batchBodyLimit = 36 * 1024 * 1024;

/** Rows per CSV import; a survey export of a trust's month fits many times over. */
export const maxImportRows = 10_000;
/**
 * A CSV import gets the same byte budget as a batch.
 * @alias
 */
export const importBodyLimit = batchBodyLimit;

export const createFeedbackBatchSchema = z
  .strictObject({
    items: z
      .array(createFeedbackSchema)
      .max(maxBatchItems)
      .describe('Up to 1,000 items, each exactly as for POST /v1/feedback'),
  })
  .meta({ id: 'CreateFeedbackBatch' });

/**
 * What the batch route checks before it looks at the items: the envelope only, so that each item's
 * problems become that item's result instead of one 400 for the whole batch.
 */
export const batchEnvelopeSchema = z.strictObject({ items: z.array(z.unknown()).max(maxBatchItems) });

export const batchResultSchema = z
  .object({
    index: z
      .number()
      .int()
      .describe('The item’s position in `items` (0-based); for an import, the data row (0-based, header not counted)'),
    line: z.number().int().optional().describe('Import only: the CSV line the row starts on (the header is line 1)'),
    status: z
      .number()
      .int()
      .describe(
        'What POST /v1/feedback would have answered for this item alone: 201 recorded, 400 invalid, 409 `duplicate-external-ref`',
      ),
    id: z.uuid().optional().describe('201: the new item’s id'),
    reference: z.string().optional().describe('201: its public tracking reference'),
    problem: problemSchema.optional().describe('Otherwise: the problem details POST /v1/feedback would have answered'),
  })
  .meta({ id: 'FeedbackBatchResult' });

export const batchResultsSchema = z
  .object({ results: z.array(batchResultSchema).describe('One per item, in the order sent') })
  .meta({ id: 'FeedbackBatchResults' });

export type BatchResult = z.infer<typeof batchResultSchema>;

const csvExample = [
  'unitId,text,kind,channel,format,themes,receivedAt,publishConsent,youSaid,externalRef.system,externalRef.id,equality.ageBand',
  '0b7d2f7e-4a51-4c43-9a4f-3f5d1c2b8e10,"The night staff were kind, and the tea was hot",compliment,fft,survey,staff_attitude;food,2026-01-05T10:00:00Z,true,Night staff were kind,fft-export,2026-01-0001,45_54',
  '0b7d2f7e-4a51-4c43-9a4f-3f5d1c2b8e10,"Visiting times are too short.',
  'My dad works until six.",suggestion,fft,survey,visiting,2026-01-05T11:30:00Z,false,,fft-export,2026-01-0002,',
].join('\r\n');

export const feedbackCsvSchema = z.string().meta({
  description: [
    'A CSV file (RFC 4180: comma-separated; UTF-8, a byte order mark and CRLF or LF line ends accepted, quoted fields may hold commas, quotes and line breaks), such as a Friends and Family Test export. Text that is not UTF-8 (such as a Windows-1252 export) answers 400 naming the line; a header separated by semicolons or tabs answers 400 saying commas are expected.',
    `The first row names the columns: the fields of POST /v1/feedback, with dot paths into nested objects, or \`unitCode\` (a unit’s code, matched ignoring case) instead of \`unitId\`: ${[...feedbackCsvColumns.keys()].map((name) => `\`${name}\``).join(', ')}. Any subset, in any order, naming the unit by exactly one of \`unitId\` and \`unitCode\`; an unknown or repeated column answers 400 naming it. A row whose code names no unit the key can see gets a 400 result naming the code.`,
    'Each further row is one item. An empty cell leaves the field out; `themes` is a `;`-separated list; `publishConsent`, `reviewConsent` and `contact.wantsReply` are `true` or `false`. A CRLF inside a quoted cell is stored as a line feed.',
    '`fftRating` and `collectionMode` also take the answers as Friends and Family Test exports write them, ignoring case, spaces, hyphens and apostrophes (straight or curly): `Very good`, `Good`, `Neither good nor poor`, `Poor`, `Very poor`, `Don’t know`; `SMS`, `Face to face`, `Paper`… A row with an `fftRating` needs no `text`.',
    `At most ${maxImportRows.toLocaleString('en-GB')} rows and ${importBodyLimit / 1024 / 1024} MiB.`,
  ].join('\n\n'),
  examples: [csvExample],
});
