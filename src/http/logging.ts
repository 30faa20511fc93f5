import type { FastifyBaseLogger, FastifyRequest, FastifyServerOptions } from 'fastify';
import { type Bindings, type ChildLoggerOptions, type DestinationStream, levels, stdSerializers } from 'pino';
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

/** What a request's logger does itself: writing, and what needs its bindings. */
const forwarded = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'child', 'bindings', 'setBindings'] as const;

const bindingsOf = Symbol('bindings');
const optionsOf = Symbol('options');
const childOf = Symbol('child');

interface LazyChild {
  [bindingsOf]: Bindings;
  [optionsOf]: ChildLoggerOptions;
  [childOf]?: FastifyBaseLogger;
}

const lazyPrototypes = new WeakMap<FastifyBaseLogger, object>();

/** A prototype for the lazy children of `parent`: the parent's own, with the forwarded methods on top. */
function lazyPrototypeOf(parent: FastifyBaseLogger): object {
  let prototype = lazyPrototypes.get(parent);
  if (!prototype) {
    prototype = Object.create(parent) as object;
    for (const name of forwarded) {
      Object.defineProperty(prototype, name, {
        value(this: LazyChild, ...args: unknown[]) {
          this[childOf] ??= parent.child(this[bindingsOf], this[optionsOf]);
          const child = this[childOf] as unknown as Record<(typeof forwarded)[number], (...args: unknown[]) => unknown>;
          return child[name](...args);
        },
      });
    }
    lazyPrototypes.set(parent, prototype);
  }
  return prototype;
}

/**
 * Fastify's childLoggerFactory: each request's logger (with its `reqId`) is the pino child Fastify
 * would make, made when it first writes a line. A pino child serialises its bindings through the
 * redaction as it is made, a few per cent of a board 304, and below LOG_LEVEL info most requests
 * write nothing. Anything but writing reads the parent's settings, which a request's own share
 * unless the route sets its own level (then the child is made at once).
 */
export const lazyChildLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (parent, bindings, options) => {
  if (options.level !== undefined || options.serializers !== undefined) return parent.child(bindings, options);
  const lazy = Object.create(lazyPrototypeOf(parent)) as LazyChild & FastifyBaseLogger;
  lazy[bindingsOf] = bindings;
  lazy[optionsOf] = options;
  return lazy;
};

/** Whether `logger` writes info lines (the null logger of `logger: false` has no level: it writes none). */
export const writesInfo = (logger: FastifyBaseLogger): boolean =>
  (levels.values[logger.level] ?? Number.POSITIVE_INFINITY) <= (levels.values.info as number);
