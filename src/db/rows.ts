import type { SQL } from 'drizzle-orm';
import pg from 'pg';
import type { Database, Queryable } from './client.js';

/** The rows of a raw SQL query, typed by the caller (both drivers answer `{ rows }`). */
export async function rowsOf<Row>(db: Queryable, query: SQL): Promise<Row[]> {
  const result = await db.execute(query);
  return (result as unknown as { rows: Row[] }).rows;
}

/** A fixed query run very often: its text, with `$1`… parameters, and a name unique to it. */
export interface PreparedQuery {
  name: string;
  text: string;
}

interface RawClient {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * The rows of a fixed query that runs on nearly every request of a hot path. On PostgreSQL it is a
 * named prepared statement, parsed and planned once per pooled connection and sent without drizzle's
 * query building: about half the client's CPU of the same query through `rowsOf` here, and less
 * work for the database. PGlite runs it as a plain query. The drivers' own type parsing applies
 * (timestamps may come as Date or text): read the row as such.
 */
export async function preparedRows<Row>(db: Database, query: PreparedQuery, values: unknown[]): Promise<Row[]> {
  const client = (db as unknown as { $client: pg.Pool | RawClient }).$client;
  const result =
    client instanceof pg.Pool
      ? await client.query({ name: query.name, text: query.text, values })
      : await client.query(query.text, values);
  return result.rows as Row[];
}
