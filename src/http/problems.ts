import { z } from 'zod';

// zod words a missing field as "Invalid input: expected string, received undefined": say "Required",
// with the choices when there are some. Everywhere (body, query, headers, batch items), since a
// schema's own message, where it has one, still comes first.
z.config({
  customError: (issue) => {
    if (issue.input !== undefined) return undefined;
    if (issue.code === 'invalid_type') return 'Required';
    if (issue.code === 'invalid_value')
      return `Required: one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    return undefined;
  },
});

/**
 * RFC 9457 problem details. Every error the service sends has this shape and a stable `type`
 * (`urn:wedid:problem:<kind>`), so clients can branch on the kind without parsing prose.
 */
export const problemKinds = {
  'validation-error': { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  unauthorized: { status: 401, title: 'A valid API key is required' },
  forbidden: { status: 403, title: 'This API key may not do that' },
  'not-found': { status: 404, title: 'Not found' },
  'not-acceptable': { status: 406, title: 'No acceptable representation' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  'duplicate-external-ref': { status: 409, title: 'Feedback with this external reference already exists' },
  'illegal-transition': { status: 409, title: 'That change is not allowed in the current state' },
  'idempotency-in-flight': { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  'cursor-expired': { status: 410, title: 'The cursor points before the oldest event kept' },
  'precondition-failed': { status: 412, title: 'The resource has changed since you read it' },
  'precondition-required': { status: 428, title: 'This request must be conditional: send If-Match' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'uri-too-long': { status: 414, title: 'A part of the request path is too long' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'idempotency-key-reused': { status: 422, title: 'This Idempotency-Key was used with a different request' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'internal-error': { status: 500, title: 'Internal server error' },
  'service-unavailable': { status: 503, title: 'The service is temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemKind = keyof typeof problemKinds;

export const problemTypeUri = (kind: ProblemKind) => `urn:wedid:problem:${kind}`;

export const problemFieldErrorSchema = z
  .object({
    in: z.enum(['body', 'querystring', 'params', 'headers']).describe('Which part of the request'),
    path: z.string().describe('JSON Pointer to the failing field, e.g. `/contact/email`'),
    message: z.string(),
  })
  .meta({ id: 'ProblemFieldError' });

export const problemSchema = z
  .object({
    type: z.string().describe('Stable URI naming the kind of error, e.g. `urn:wedid:problem:validation-error`'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional().describe('The request path'),
    requestId: z.string().describe('Quote this when asking for help; it is in the service logs'),
    errors: z.array(problemFieldErrorSchema).optional().describe('For validation errors: each failing field'),
    existingId: z.uuid().optional().describe('For duplicates: the id of the existing resource'),
  })
  .meta({
    id: 'Problem',
    description: 'RFC 9457 problem details, sent as `application/problem+json`.',
  });

export type Problem = z.infer<typeof problemSchema>;

/** An error answer in a route's OpenAPI responses: problem details, with what it means there. */
export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
export type ProblemFieldError = z.infer<typeof problemFieldErrorSchema>;

/** A typed error carrying everything needed to answer with problem details; thrown from services. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly kind: ProblemKind;
  readonly extras: Partial<Pick<Problem, 'errors' | 'existingId'>>;
  readonly headers: Record<string, string>;

  constructor(
    kind: ProblemKind,
    detail?: string,
    extras: Partial<Pick<Problem, 'errors' | 'existingId'>> = {},
    headers: Record<string, string> = {},
  ) {
    super(detail ?? problemKinds[kind].title);
    this.name = 'HttpProblem';
    this.kind = kind;
    this.status = problemKinds[kind].status;
    this.extras = extras;
    this.headers = headers;
  }
}

export const notFound = (what: string) => new HttpProblem('not-found', `${what} was not found`);
export const forbidden = (detail: string) => new HttpProblem('forbidden', detail);
export const conflict = (detail: string) => new HttpProblem('conflict', detail);
export const illegalTransition = (detail: string) => new HttpProblem('illegal-transition', detail);
export const preconditionFailed = (detail = 'The If-Match version is stale: read the resource again') =>
  new HttpProblem('precondition-failed', detail);
export const preconditionRequired = (detail: string) => new HttpProblem('precondition-required', detail);

/** A validation problem found by a service rule rather than by the schema. */
export const invalidField = (path: string, message: string, where: ProblemFieldError['in'] = 'body') =>
  new HttpProblem('validation-error', message, { errors: [{ in: where, path, message }] });

/** One failed check as field errors; each unknown or read-only key is named on its own. */
export function fieldErrors(
  where: ProblemFieldError['in'],
  path: string,
  message: string,
  unknownKeys: readonly string[] = [],
): ProblemFieldError[] {
  if (unknownKeys.length > 0) {
    return unknownKeys.map((key) => ({
      in: where,
      path: `${path}/${key}`,
      message: `Unknown or read-only field "${key}"`,
    }));
  }
  return [{ in: where, path, message }];
}

/** A schema failure: 400 `validation-error`, its detail summing up every field error. */
export const validationProblem = (errors: ProblemFieldError[]) =>
  new HttpProblem('validation-error', errors.map((e) => `${e.in}${e.path}: ${e.message}`).join('; '), { errors });
