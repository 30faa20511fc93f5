import { isUtf8 } from 'node:buffer';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, type Info, parse } from 'csv-parse';
import { z } from 'zod';
import { collectionModes, fftRatings } from '../../db/schema/enums.js';
import { HttpProblem, invalidField } from '../../http/problems.js';
import { createFeedbackSchema } from './feedback.schemas.js';

type CellKind = 'text' | 'boolean' | 'list' | 'answer';

/**
 * Columns whose answers survey tools write as words ("Very good", "Don’t know", "Face to face"):
 * matched ignoring case, spaces, hyphens, underscores and apostrophes (straight or curly), so that
 * "VeryGood", "DONT KNOW" and "Face-to-face" are read too.
 */
const spelledAnswerColumns: ReadonlySet<string> = new Set(['fftRating', 'collectionMode']);

const lettersOf = (answer: string): string => answer.toLowerCase().replace(/[\s_'‘’`-]+/g, '');

/** "verygood" → very_good, "facetoface" → face_to_face: the two enums share no answer. */
const answerByLetters: ReadonlyMap<string, string> = new Map(
  [...fftRatings, ...collectionModes].map((answer) => [lettersOf(answer), answer]),
);

function bare(field: z.core.$ZodType): z.core.$ZodType {
  return field instanceof z.ZodOptional || field instanceof z.ZodDefault ? bare(field.unwrap()) : field;
}

function columnsOf(shape: Record<string, z.core.$ZodType>, prefix = ''): [string, CellKind][] {
  return Object.entries(shape).flatMap(([name, field]): [string, CellKind][] => {
    const schema = bare(field);
    if (schema instanceof z.ZodObject) return columnsOf(schema.shape, `${prefix}${name}.`);
    const column = `${prefix}${name}`;
    const kind: CellKind = spelledAnswerColumns.has(column)
      ? 'answer'
      : schema instanceof z.ZodArray
        ? 'list'
        : schema instanceof z.ZodBoolean
          ? 'boolean'
          : 'text';
    return [[column, kind]];
  });
}

/**
 * The columns a CSV import may name, read off the schema of POST /v1/feedback so the two never
 * drift: its field names, with dot paths into nested objects (`contact.email`), and `unitCode`,
 * which exports carry more often than our ids: it names the unit by its code instead of `unitId`.
 */
export const feedbackCsvColumns: ReadonlyMap<string, CellKind> = new Map([
  ...columnsOf(createFeedbackSchema.shape),
  ['unitCode', 'text'],
]);

function cellValue(kind: CellKind, cell: string): unknown {
  if (kind === 'list') return cell.split(';').flatMap((part) => part.trim() || []);
  if (kind === 'boolean' && /^(true|false)$/i.test(cell)) return cell.toLowerCase() === 'true';
  // "Don’t know" → dont_know, "Neither good nor poor" → neither_good_nor_poor, "Face-to-face" → face_to_face;
  // an answer on neither scale goes on as written, for the schema to name its field.
  if (kind === 'answer') return answerByLetters.get(lettersOf(cell)) ?? cell;
  // Anything else goes to the schema as it is, so a bad value is named by its field's path.
  return cell;
}

function rowOf(line: number, columns: readonly string[], record: readonly string[]): CsvRow {
  const item: Record<string, unknown> = {};
  const row: CsvRow = { line, item };
  columns.forEach((column, i) => {
    const cell = record[i]?.trim() ?? '';
    // Kept aside, even when empty, so that the import can name a missing code rather than a missing unitId.
    if (column === 'unitCode') row.unitCode = cell;
    if (column === 'unitCode' || cell === '') return;
    const path = column.split('.');
    let target = item;
    for (const key of path.slice(0, -1)) {
      target[key] ??= {};
      target = target[key] as Record<string, unknown>;
    }
    target[path.at(-1)!] = cellValue(feedbackCsvColumns.get(column)!, cell);
  });
  return row;
}

const separatorNames = { ';': 'semicolons (;)', '\t': 'tabs' } as const;

/** Unknown column names holding semicolons or tabs: the file was exported with another separator. */
function otherSeparator(columns: readonly string[]): keyof typeof separatorNames | undefined {
  const header = columns.join(',');
  const count = (separator: string) => header.split(separator).length - 1;
  if (count(';') === 0 && count('\t') === 0) return undefined;
  return count('\t') > count(';') ? '\t' : ';';
}

function checkHeader(record: readonly string[]): string[] {
  const columns = record.map((name) => name.trim());
  const unknown = columns.filter((name) => !feedbackCsvColumns.has(name));
  const separator = unknown.length > 0 ? otherSeparator(unknown) : undefined;
  if (separator) {
    throw invalidField(
      '',
      `The header row looks separated by ${separatorNames[separator]}; this import expects commas (,) between columns. Export the file as comma-separated CSV (in Excel: "CSV UTF-8 (Comma delimited)") and send it again`,
    );
  }
  if (unknown.length > 0) {
    throw invalidField(
      '',
      `Unknown CSV columns: ${unknown.map((name) => `"${name}"`).join(', ')}; the columns are ${[...feedbackCsvColumns.keys()].join(', ')}`,
    );
  }
  const repeated = columns.filter((name, i) => columns.indexOf(name) !== i);
  if (repeated.length > 0) throw invalidField('', `CSV columns named twice: ${[...new Set(repeated)].join(', ')}`);
  const unitColumns = columns.filter((name) => name === 'unitId' || name === 'unitCode');
  if (unitColumns.length !== 1) {
    throw invalidField(
      '',
      unitColumns.length === 0
        ? 'The header names no unit column: add unitCode (the unit’s code) or unitId'
        : 'Name each row’s unit by unitCode or by unitId, not both',
    );
  }
  return columns;
}

const tooLarge = (detail: string) => new HttpProblem('payload-too-large', detail);

const notUtf8 = (line: number, utf16: boolean) =>
  invalidField(
    '',
    utf16
      ? 'The CSV is UTF-16 text; this import reads UTF-8. Export or save the file as "CSV UTF-8" and send it again'
      : `The CSV is not UTF-8 text: line ${line} holds bytes UTF-8 does not allow, as a Windows-1252 export writes ’ or £. Export or save the file as "CSV UTF-8" and send it again`,
  );

const lf = 0x0a;

/**
 * Checks the body as it streams in: its byte limit, and that it is UTF-8, refusing other text with
 * its line rather than letting replacement characters into the records. Complete lines are decoded
 * (an LF byte never occurs inside a UTF-8 sequence, so a line is valid on its own or not at all), the
 * rest is held until its line ends. Also turns CRLF into LF: csv-parse counts a CRLF inside a quoted
 * field as two lines, and the line numbers reported must be the file's.
 */
function utf8Lines(maxBytes: number, fail: (problem: HttpProblem) => HttpProblem): Transform {
  // The byte order mark is csv-parse's to strip; each decode() would otherwise drop one at a line's start.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let received = 0;
  let line = 1;
  let held: Buffer[] = [];
  const decode = (bytes: Buffer): string => {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      let at = line;
      for (let start = 0; ; at++) {
        const end = bytes.indexOf(lf, start);
        const piece = bytes.subarray(start, end < 0 ? bytes.length : end + 1);
        if (!isUtf8(piece) || end < 0) break;
        start = end + 1;
      }
      const utf16 = line === 1 && (bytes.subarray(0, 2).equals(utf16le) || bytes.subarray(0, 2).equals(utf16be));
      throw fail(notUtf8(at, utf16));
    }
    line += text.split('\n').length - 1;
    return text.replaceAll('\r\n', '\n');
  };
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > maxBytes) return done(fail(tooLarge(`The CSV is larger than ${maxBytes} bytes`)));
      const end = chunk.lastIndexOf(lf) + 1;
      if (end === 0) {
        held.push(chunk);
        return done();
      }
      const lines = Buffer.concat([...held, chunk.subarray(0, end)]);
      held = end < chunk.length ? [chunk.subarray(end)] : [];
      try {
        done(null, decode(lines));
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      try {
        done(null, held.length > 0 ? decode(Buffer.concat(held)) : undefined);
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

const utf16le = Buffer.from([0xff, 0xfe]);
const utf16be = Buffer.from([0xfe, 0xff]);

/** One data row of an import: the line it starts on, the item its cells make, and its unit code if the file names units so. */
export interface CsvRow {
  line: number;
  item: Record<string, unknown>;
  /** Present (possibly empty) when the file has a unitCode column: the import turns it into `unitId`. */
  unitCode?: string;
}

/**
 * Reads the rest of a body nobody needs any more, so that the answer reaches a client still sending
 * and the connection stays usable; past the byte limit the connection is dropped instead.
 */
function discardRest(body: Readable, maxBytes: number): void {
  let discarded = 0;
  body.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > maxBytes) body.destroy();
  });
  body.resume();
}

/**
 * Reads a CSV body as it streams in: the header row names the columns, each further row becomes an
 * item shaped as for POST /v1/feedback (still unchecked). A bad header, text that is not UTF-8,
 * malformed CSV (with its line), too many bytes or rows, or an upload cut off answer a problem for
 * the whole upload.
 */
export async function readFeedbackCsv(
  body: Readable,
  limits: { maxBytes: number; maxRows: number },
): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  let columns: string[] | undefined;
  // The first problem found is the answer: once one stage fails, pipeline tears down the others and
  // may report their AbortError or premature close instead.
  let refusal: HttpProblem | undefined;
  const fail = (problem: HttpProblem) => {
    refusal ??= problem;
    return refusal;
  };
  const recorded = (error: unknown) => {
    if (error instanceof HttpProblem) return fail(error);
    if (error instanceof CsvError)
      return fail(invalidField('', `Malformed CSV at line ${error.lines}: ${error.message}`));
    return error;
  };
  const input = utf8Lines(limits.maxBytes, fail);
  // Piped rather than handed to pipeline: a problem must not destroy the request, whose socket answers it.
  body.on('error', () =>
    input.destroy(
      fail(new HttpProblem('validation-error', 'The upload ended before the whole file arrived; send it again')),
    ),
  );
  body.pipe(input);
  // Each record is handled as the parser finds it (`on_record`, which may throw): a bad header must
  // be answered before the rows after it, which may be malformed in its light, are parsed.
  const onRecord = (record: string[], info: Info): null => {
    try {
      if (!columns) {
        columns = checkHeader(record);
        return null;
      }
      if (rows.length === limits.maxRows) throw tooLarge(`At most ${limits.maxRows} rows per import; split the file`);
      // `lines` is where the record ends; line breaks inside its quoted cells move its start up.
      const breaks = record.reduce((sum, cell) => sum + cell.split('\n').length - 1, 0);
      rows.push(rowOf(info.lines - breaks, columns, record));
      return null;
    } catch (error) {
      throw recorded(error);
    }
  };
  try {
    await pipeline(input, parse({ bom: true, skip_empty_lines: true, on_record: onRecord }));
  } catch (error) {
    throw refusal ?? recorded(error);
  } finally {
    if (!body.readableEnded) discardRest(body, limits.maxBytes);
  }
  if (!columns) throw invalidField('', 'The CSV is empty: send a header row naming the columns, then a row per item');
  return rows;
}
