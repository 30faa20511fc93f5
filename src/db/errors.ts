/** The SQLSTATE codes WeDid acts on (PostgreSQL appendix A), by name. */
export const SqlState = {
  /** Text holding a byte the encoding cannot (NUL in text). */
  characterNotInRepertoire: '22021',
  /** A jsonb escape PostgreSQL cannot store (\u0000). */
  untranslatableCharacter: '22P05',
  foreignKeyViolation: '23503',
  uniqueViolation: '23505',
  checkViolation: '23514',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

// Deadlock and serialization failures are the database choosing a loser among concurrent writers;
// running the loser again sees the winner's result and answers accordingly.
const retryableSqlStates: ReadonlySet<string> = new Set([SqlState.deadlockDetected, SqlState.serializationFailure]);

// SQLSTATE classes that mean "the database is not there right now", not "the request is wrong":
// connection exceptions (08), insufficient resources (53), admin or crash shutdown, cannot connect
// now (57P01-57P03, e.g. pg_terminate_backend), and statement_timeout (57014).
const unavailableSqlStates = /^(08|53|57P0[1-3]|57014)/;
const unavailableNodeCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
// What pg, pg-pool and PGlite say when the connection is gone or the network went silent; the
// pool discards such clients, so a query on one is "closed and not queryable".
const unavailableMessages =
  /timeout exceeded when trying to connect|Connection terminated|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end|PGlite is clos(ed|ing)/i;

const sqlStatePattern = /^[0-9A-Z]{5}$/;

/** The first code along the error and its causes (drizzle wraps the driver's error) that `accept` takes. */
function codeOf(error: unknown, accept: (code: string) => boolean): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && accept(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The SQLSTATE of a failed query, from either driver; undefined for any other error. */
export function sqlStateOf(error: unknown): string | undefined {
  return codeOf(error, (code) => sqlStatePattern.test(code));
}

/** Whether running the transaction again may succeed: PostgreSQL picked it as the loser. */
export function isRetryable(error: unknown): boolean {
  return retryableSqlStates.has(sqlStateOf(error) ?? '');
}

/** The codes and messages that tell one kind of connection failure. */
interface FailureSigns {
  sqlStates: RegExp;
  nodeCodes: ReadonlySet<string>;
  messages: RegExp;
}

/** Whether the error (or a cause) carries one of `signs`: a SQLSTATE, a Node socket code or a driver's message. */
function shows(error: unknown, signs: FailureSigns): boolean {
  const code = codeOf(error, (candidate) => sqlStatePattern.test(candidate) || signs.nodeCodes.has(candidate));
  if (code && (signs.nodeCodes.has(code) || signs.sqlStates.test(code))) return true;
  const message =
    error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : '';
  return signs.messages.test(message);
}

// The connection a query ran on went away under it (pg_terminate_backend, a restart, a reset socket),
// as against a database that cannot be reached or is overloaded now.
const lostConnection: FailureSigns = {
  sqlStates: /^57P0[12]$/,
  nodeCodes: new Set(['ECONNRESET', 'EPIPE']),
  messages: /Connection terminated|Client has encountered a connection error/i,
};

/** Whether the query's connection was lost under it: a new connection may well answer. */
export function isConnectionLost(error: unknown): boolean {
  return shows(error, lostConnection);
}

const unavailable: FailureSigns = {
  sqlStates: unavailableSqlStates,
  nodeCodes: unavailableNodeCodes,
  messages: unavailableMessages,
};

/** Whether the error says the database is unreachable or overloaded rather than the query wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return shows(error, unavailable);
}
