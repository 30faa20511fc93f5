import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  fieldErrors,
  HttpProblem,
  type Problem,
  type ProblemFieldError,
  type ProblemKind,
  problemKinds,
  problemTypeUri,
  validationProblem,
} from './problems.js';

const fastifyCodeToKind: Record<string, ProblemKind> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation-error',
  FST_ERR_NOT_FOUND: 'not-found',
  FST_ERR_BAD_URL: 'validation-error',
  FST_ERR_MAX_PARAM_LENGTH: 'uri-too-long',
};

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

/** Sends problem details; the body is serialised here so an error can never fail its own schema. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  kind: ProblemKind,
  detail?: string,
  extras: Partial<Problem> = {},
): FastifyReply {
  const { status, title } = problemKinds[kind];
  const body: Problem = {
    type: problemTypeUri(kind),
    title,
    status,
    ...(detail ? { detail } : {}),
    instance: request.url.split('?')[0],
    requestId: String(request.id),
    ...extras,
  };
  return reply
    .code(status)
    .type('application/problem+json')
    .serializer((payload) => JSON.stringify(payload))
    .send(body);
}

function databaseErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (/^[0-9A-Z]{5}$/.test(code) || unavailableNodeCodes.has(code))) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isDatabaseUnavailable(error: unknown): boolean {
  const code = databaseErrorCode(error);
  if (code && (unavailableNodeCodes.has(code) || unavailableSqlStates.test(code))) return true;
  const message =
    error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : '';
  return unavailableMessages.test(message);
}

/**
 * The router's own refusals (a malformed percent-encoding, an over-long path segment) are answered
 * before any route or error handler runs; Fastify's `frameworkErrors` option sends them here.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  sendProblem(request, reply, fastifyCodeToKind[error.code] ?? 'validation-error', error.message);
}

function zodIssuesToFieldErrors(error: FastifyError): ProblemFieldError[] {
  const where = (error.validationContext ?? 'body') as ProblemFieldError['in'];
  return (error.validation ?? []).flatMap((issue) => {
    // The zod provider gives "/" for the root; pointers are "" there (RFC 6901).
    const base = issue.instancePath === '/' ? '' : (issue.instancePath ?? '');
    const keys = issue.keyword === 'unrecognized_keys' ? ((issue.params as { keys?: string[] }).keys ?? []) : [];
    return fieldErrors(where, base, issue.message ?? 'Invalid value', keys);
  });
}

/** A 415 that says what to send: the route's documented `consumes`, else JSON, the API's default. */
function unsupportedTypeDetail(request: FastifyRequest): string {
  const consumes = (request.routeOptions.schema as { consumes?: string[] } | undefined)?.consumes ?? [
    'application/json',
  ];
  const sent = request.headers['content-type'];
  return `${request.method} ${request.routeOptions.url} reads ${consumes.join(' or ')}: send the body with Content-Type: ${consumes[0]}${sent ? ` (this request sent ${sent})` : ''}`;
}

/** The one place errors become HTTP answers. */
export function registerErrorHandling(app: FastifyInstance): void {
  // The API speaks JSON only: without Fastify's default text/plain parser, a text body is a 415
  // rather than a string reaching the validator.
  app.removeContentTypeParser('text/plain');

  app.setNotFoundHandler((request, reply) => {
    sendProblem(request, reply, 'not-found', `No route ${request.method} ${request.url.split('?')[0]}`);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpProblem) {
      reply.headers(error.headers);
      return sendProblem(request, reply, error.kind, error.message, error.extras);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const problem = validationProblem(zodIssuesToFieldErrors(error));
      return sendProblem(request, reply, problem.kind, problem.message, problem.extras);
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendProblem(request, reply, 'unsupported-media-type', unsupportedTypeDetail(request));
    }
    const fastifyKind = error.code ? fastifyCodeToKind[error.code] : undefined;
    if (fastifyKind) return sendProblem(request, reply, fastifyKind, error.message);
    if (error.statusCode === 429) {
      return sendProblem(request, reply, 'rate-limited', error.message);
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', '5');
      return sendProblem(request, reply, 'service-unavailable', 'The database is not answering; try again shortly');
    }
    if (databaseErrorCode(error) === '23505') {
      return sendProblem(request, reply, 'conflict', 'A resource with the same unique value already exists');
    }
    if (databaseErrorCode(error) === '23514' || databaseErrorCode(error) === '23503') {
      request.log.error({ err: error }, 'database rule refused a change');
      return sendProblem(request, reply, 'conflict', 'The change would break a data rule and was refused');
    }
    const sqlState = databaseErrorCode(error);
    if (sqlState === '22021' || sqlState === '22P05') {
      // PostgreSQL text cannot hold NUL (U+0000): any field or filter the schemas do not refuse
      // first reaches the database with it (22021 as text, 22P05 as a jsonb escape).
      return sendProblem(request, reply, 'validation-error', 'Text must not contain the NUL character (U+0000)');
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // Framework errors not named above (for example a bad header): a clear 4xx, never a 500.
      const kind = (Object.keys(problemKinds) as ProblemKind[]).find(
        (k) => problemKinds[k].status === error.statusCode,
      );
      return sendProblem(request, reply, kind ?? 'validation-error', error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(request, reply, 'internal-error', 'Something went wrong on our side; it has been logged');
  });
}
