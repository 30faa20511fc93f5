import { z } from 'zod';
import { invalidField } from './problems.js';

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Items per page (1–200, default 50)'),
  cursor: z.string().max(500).optional().describe('`nextCursor` from the previous page'),
});

/**
 * The response shape of every list endpoint: `{ items, nextCursor }`, `nextCursor` null on the last
 * page. `itemsDescription` says what the items are when one schema stands for several shapes.
 */
export function pageOf<T extends z.ZodType>(item: T, itemsDescription?: string) {
  const items = z.array(item);
  return z.object({
    items: itemsDescription === undefined ? items : items.describe(itemsDescription),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  });
}

/** Cursors are opaque to clients: the sort key of the last row, base64url-encoded JSON. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** A timestamp exactly as `toISOString` writes it: anything else in a cursor was not issued here. */
const issuedTimestamp = z.iso
  .datetime({ precision: 3 })
  .refine((value) => !value.startsWith('0000') && !Number.isNaN(Date.parse(value)));
const position = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The sort keys cursors carry, checked strictly, so a forged cursor is a 400 and never reaches SQL. */
export const cursorKeys = {
  /** `[createdAt or receivedAt, id]`: lists ordered by time, ties broken by id. */
  timeAndId: z.tuple([issuedTimestamp, z.uuid()]),
  /** `[seq]`: lists ordered by a positive sequence number. */
  sequence: z.tuple([position.min(1)]),
  /** `[commit seq, position in that commit]`: the change feed. */
  feedPosition: z.tuple([position, position]),
};

/**
 * Reads a cursor back into its sort key; undefined when none was sent. Anything that does not
 * decode to exactly `key`'s shape answers 400 naming the parameter.
 */
export function decodeCursor<Key extends z.ZodTuple>(
  cursor: string | undefined,
  key: Key,
  parameter = 'cursor',
): z.output<Key> | undefined {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = key.safeParse(decoded);
  if (parsed.success) return parsed.data;
  throw invalidField(`/${parameter}`, 'Not a cursor this service issued', 'querystring');
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says whether there is more. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorKey: (row: Row) => (string | number)[],
): { items: Item[]; nextCursor: string | null } {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(cursorKey(last)) : null,
  };
}

/** The last row of the previous page of a list ordered by `time` then id, as its `[time, id]` cursor names it. */
type TimeAndIdAfter<Time extends string> = Record<Time, string> & { id: string };

/**
 * Reads the `[time, id]` cursor of a list ordered by the `time` field then id back into the last row
 * of the previous page; undefined when none was sent. Anything else answers 400, as `decodeCursor`.
 */
export function afterTimeAndId<Time extends string>(
  cursor: string | undefined,
  time: Time,
): TimeAndIdAfter<Time> | undefined {
  const key = decodeCursor(cursor, cursorKeys.timeAndId);
  return key && ({ [time]: key[0], id: key[1] } as TimeAndIdAfter<Time>);
}

/** Builds a page from `limit + 1` fetched rows of a list ordered by `time` then id, its cursor `[time, id]`. */
export function timeAndIdPage<Time extends string, Row extends Record<Time, Date> & { id: string }, Item>(
  rows: Row[],
  limit: number,
  time: Time,
  toItem: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  return toPage(rows, limit, toItem, (row) => [row[time].toISOString(), row.id]);
}
