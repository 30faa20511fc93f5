import { type SQL, sql } from 'drizzle-orm';

/** A uuid[] literal built from bound parameters (works the same on pg and PGlite). */
export const uuidArray = (ids: readonly string[]): SQL =>
  ids.length === 0
    ? sql`'{}'::uuid[]`
    : sql`array[${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )}]::uuid[]`;
