import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable, SqlState, sqlStateOf } from '../db/errors.js';
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

/**
 * The router's own refusals (a malformed percent-encoding, an over-long path segment) are answered
 * before any route or error handler runs; Fastify's `frameworkErrors` option sends them here.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
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
    const sqlState = sqlStateOf(error);
    if (sqlState === SqlState.uniqueViolation) {
      return sendProblem(request, reply, 'conflict', 'A resource with the same unique value already exists');
    }
    if (sqlState === SqlState.checkViolation || sqlState === SqlState.foreignKeyViolation) {
      request.log.error({ err: error }, 'database rule refused a change');
      return sendProblem(request, reply, 'conflict', 'The change would break a data rule and was refused');
    }
    if (sqlState === SqlState.characterNotInRepertoire || sqlState === SqlState.untranslatableCharacter) {
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
