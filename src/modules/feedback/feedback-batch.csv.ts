import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, type Info, parse } from 'csv-parse';
import { z } from 'zod';
import { HttpProblem, invalidField } from '../../http/problems.js';
import { createFeedbackSchema } from './feedback.schemas.js';

type CellKind = 'text' | 'boolean' | 'list';

function bare(field: z.core.$ZodType): z.core.$ZodType {
  return field instanceof z.ZodOptional || field instanceof z.ZodDefault ? bare(field.unwrap()) : field;
}

function columnsOf(shape: Record<string, z.core.$ZodType>, prefix = ''): [string, CellKind][] {
  return Object.entries(shape).flatMap(([name, field]): [string, CellKind][] => {
    const schema = bare(field);
    if (schema instanceof z.ZodObject) return columnsOf(schema.shape, `${prefix}${name}.`);
    const kind = schema instanceof z.ZodArray ? 'list' : schema instanceof z.ZodBoolean ? 'boolean' : 'text';
    return [[`${prefix}${name}`, kind]];
  });
}

/**
 * The columns a CSV import may name, read off the schema of POST /v1/feedback so the two never
 * drift: its field names, with dot paths into nested objects (`contact.email`).
 */
export const feedbackCsvColumns: ReadonlyMap<string, CellKind> = new Map(columnsOf(createFeedbackSchema.shape));

function cellValue(kind: CellKind, cell: string): unknown {
  if (kind === 'list') return cell.split(';').flatMap((part) => part.trim() || []);
  if (kind === 'boolean' && /^(true|false)$/i.test(cell)) return cell.toLowerCase() === 'true';
  // Anything else goes to the schema as it is, so a bad value is named by its field's path.
  return cell;
}

function itemOf(columns: readonly string[], record: readonly string[]): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  columns.forEach((column, i) => {
    const cell = record[i]?.trim() ?? '';
    if (cell === '') return;
    const path = column.split('.');
    let target = item;
    for (const key of path.slice(0, -1)) {
      target[key] ??= {};
      target = target[key] as Record<string, unknown>;
    }
    target[path.at(-1)!] = cellValue(feedbackCsvColumns.get(column)!, cell);
  });
  return item;
}

function checkHeader(record: readonly string[]): string[] {
  const columns = record.map((name) => name.trim());
  const unknown = columns.filter((name) => !feedbackCsvColumns.has(name));
  if (unknown.length > 0) {
    throw invalidField(
      '',
      `Unknown CSV columns: ${unknown.map((name) => `"${name}"`).join(', ')}; the columns are ${[...feedbackCsvColumns.keys()].join(', ')}`,
    );
  }
  const repeated = columns.filter((name, i) => columns.indexOf(name) !== i);
  if (repeated.length > 0) throw invalidField('', `CSV columns named twice: ${[...new Set(repeated)].join(', ')}`);
  return columns;
}

const tooLarge = (detail: string) => new HttpProblem('payload-too-large', detail);

/**
 * Holds the body to its byte limit, and turns CRLF into LF: csv-parse counts a CRLF inside a quoted
 * field as two lines, and the line numbers reported must be the file's. CR and LF bytes never occur
 * inside a UTF-8 sequence, so the bytes are handled as latin1 and pass through unchanged.
 */
function limitedLf(maxBytes: number): Transform {
  let received = 0;
  let heldCr = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > maxBytes) return done(tooLarge(`The CSV is larger than ${maxBytes} bytes`));
      let text = (heldCr ? '\r' : '') + chunk.toString('latin1');
      heldCr = text.endsWith('\r');
      if (heldCr) text = text.slice(0, -1);
      done(null, Buffer.from(text.replaceAll('\r\n', '\n'), 'latin1'));
    },
    flush(done) {
      if (heldCr) this.push('\r');
      done();
    },
  });
}

/** One data row of an import: the line it starts on and the item its cells make. */
export interface CsvRow {
  line: number;
  item: Record<string, unknown>;
}

/**
 * Reads a CSV body as it streams in: the header row names the columns, each further row becomes an
 * item shaped as for POST /v1/feedback (still unchecked). A bad header, malformed CSV (with its
 * line), too many bytes or rows answer a problem for the whole upload.
 */
export async function readFeedbackCsv(
  body: Readable,
  limits: { maxBytes: number; maxRows: number },
): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  let columns: string[] | undefined;
  const input = limitedLf(limits.maxBytes);
  // Piped rather than handed to pipeline: a problem must not destroy the request, whose socket answers it.
  body.on('error', (error) => input.destroy(error));
  body.pipe(input);
  try {
    await pipeline(
      input,
      parse({ bom: true, skip_empty_lines: true, info: true }),
      async (records: AsyncIterable<{ info: Info; record: string[] }>) => {
        for await (const { info, record } of records) {
          if (!columns) {
            columns = checkHeader(record);
            continue;
          }
          if (rows.length === limits.maxRows) {
            throw tooLarge(`At most ${limits.maxRows} rows per import; split the file`);
          }
          // `lines` is where the record ends; line breaks inside its quoted cells move its start up.
          const breaks = record.reduce((sum, cell) => sum + cell.split('\n').length - 1, 0);
          rows.push({ line: info.lines - breaks, item: itemOf(columns, record) });
        }
      },
    );
  } catch (error) {
    if (error instanceof CsvError) throw invalidField('', `Malformed CSV at line ${error.lines}: ${error.message}`);
    throw error;
  }
  if (!columns) throw invalidField('', 'The CSV is empty: send a header row naming the columns, then a row per item');
  return rows;
}
