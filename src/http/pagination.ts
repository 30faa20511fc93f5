import { z } from 'zod';
import { invalidField } from './problems.js';

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Items per page (1–200, default 50)'),
  cursor: z.string().max(500).optional().describe('`nextCursor` from the previous page'),
});

/** The response shape of every list endpoint: `{ items, nextCursor }`, `nextCursor` null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  });
}

/** Cursors are opaque to clients: the sort key of the last row, base64url-encoded JSON. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((k) => typeof k === 'string' || typeof k === 'number')
    ) {
      return key;
    }
  } catch {
    // Fall through to the validation problem below.
  }
  throw invalidField('/cursor', 'Not a cursor this service issued', 'querystring');
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
