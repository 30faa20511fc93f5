import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import { type DestinationStream, stdSerializers } from 'pino';
import type { Config } from '../config.js';

/**
 * Paths pino removes wherever they appear: secrets and the private parts of feedback.
 * Request logging writes neither headers nor bodies; this is the net for anything logged by hand.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'headers.authorization',
  '*.authorization',
  '*.text',
  '*.contact',
  '*.email',
  '*.phone',
  '*.key',
  '*.secret',
  '*.equality',
  'body',
  '*.body',
];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The path carries a secret (an invite link's token): the request line logs the route pattern instead. */
    secretInPath?: boolean;
  }
}

/** The path as the request line logs it: without the query, and without a secret the path carries. */
export const loggedPath = (request: FastifyRequest): string =>
  request.routeOptions.config?.secretInPath ? (request.routeOptions.url ?? '') : request.url.split('?')[0]!;

/** The service's pino options; `stream` (tests) receives the JSON lines instead of stdout. */
export function loggerOptions(level: Config['LOG_LEVEL'], stream?: DestinationStream): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: { err: serializeError },
    ...(stream ? { stream } : {}),
    // Human-readable only at a terminal; JSON lines everywhere else.
    ...(!stream && process.stdout.isTTY && level !== 'silent'
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  };
}

type DriverError = Error & { code?: string; constraint?: string; table?: string; column?: string };

/**
 * drizzle's query errors carry the SQL and its parameters (feedback text, contact details) in
 * their message and stack; the log keeps the driver's error and SQLSTATE, never the parameters.
 * Data exceptions (class 22) quote the offending value, so only their code is kept.
 */
export function serializeError(error: Error): { [key: string]: unknown; type: string; message: string; stack: string } {
  if (!error.message?.startsWith('Failed query:')) return stdSerializers.err(error);
  const cause = error.cause as DriverError | undefined;
  const frames = error.stack?.indexOf('\n    at ') ?? -1;
  const type = error.constructor.name;
  return {
    type,
    message: cause?.code?.startsWith('22')
      ? `query failed (${cause.code})`
      : `query failed: ${cause?.message ?? 'no driver error'}`,
    code: cause?.code,
    constraint: cause?.constraint,
    table: cause?.table,
    column: cause?.column,
    stack: `${type}: query failed${frames >= 0 ? error.stack?.slice(frames) : ''}`,
  };
}
