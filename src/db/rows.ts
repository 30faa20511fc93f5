import { getTableName, type SQL, sql, type Table } from 'drizzle-orm';
import type { Database, Queryable } from './client.js';

/** The rows of a raw SQL query, typed by the caller (both drivers answer `{ rows }`). */
export async function rowsOf<Row>(db: Queryable, query: SQL): Promise<Row[]> {
  const result = await db.execute(query);
  return (result as unknown as { rows: Row[] }).rows;
}

/**
 * `insert into <table> (<columns>) select * from jsonb_to_recordset(<rows>)`: many rows travel as one
 * JSON parameter. A VALUES list with a parameter per field (what drizzle's insert builds) cost more
 * CPU in the service than PostgreSQL spent writing a 500-item batch. `columns` maps each column's
 * name to its SQL type; each row is keyed by column name, and a key left out reads as null. Append
 * `on conflict`/`returning` as needed.
 */
export function insertFromJson(
  table: Table,
  columns: Readonly<Record<string, string>>,
  rows: readonly Record<string, unknown>[],
): SQL {
  const { names, record } = recordsetColumns(columns);
  return sql`insert into ${table} (${sql.raw(names)})
    select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as row(${sql.raw(record)})`;
}

/** insertFromJson as a fixed statement for `preparedRows`: its one parameter is the rows as JSON text. */
export function preparedInsertFromJson(
  name: string,
  table: Table,
  columns: Readonly<Record<string, string>>,
): PreparedQuery {
  const { names, record } = recordsetColumns(columns);
  return {
    name,
    text: `insert into ${getTableName(table)} (${names}) select * from jsonb_to_recordset($1::jsonb) as row(${record})`,
  };
}

/** The column list of the insert, and the record type `jsonb_to_recordset` reads the rows as. */
function recordsetColumns(columns: Readonly<Record<string, string>>): { names: string; record: string } {
  const names = Object.keys(columns);
  return { names: names.join(', '), record: names.map((name) => `${name} ${columns[name]}`).join(', ') };
}

/** A fixed query run very often: its text, with `$1`… parameters, and a name unique to it. */
export interface PreparedQuery {
  name: string;
  text: string;
}

/** PGlite's query: text and parameters. */
interface PgliteClient {
  waitReady: Promise<void>;
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A `pg` pool's query also takes a named statement. */
interface PoolClient {
  query(statement: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * The rows of a fixed query that runs on nearly every request of a hot path. On PostgreSQL it is a
 * named prepared statement, parsed and planned once per pooled connection and sent without drizzle's
 * query building: about half the client's CPU of the same query through `rowsOf` here, and less
 * work for the database. PGlite runs it as a plain query. The drivers' own type parsing applies
 * (timestamps may come as Date or text): read the row as such.
 */
export async function preparedRows<Row>(db: Database, query: PreparedQuery, values: unknown[]): Promise<Row[]> {
  const client = (db as unknown as { $client: PoolClient | PgliteClient }).$client;
  // Told apart by PGlite's waitReady rather than `instanceof pg.Pool`, so embedded start-up never loads `pg`.
  const result =
    'waitReady' in client
      ? await client.query(query.text, values)
      : await client.query({ name: query.name, text: query.text, values });
  return result.rows as Row[];
}
