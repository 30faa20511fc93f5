import type { FastifyServerOptions } from 'fastify';
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

export function loggerOptions(level: Config['LOG_LEVEL']): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    // Human-readable only at a terminal; JSON lines everywhere else.
    ...(process.stdout.isTTY && level !== 'silent'
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  };
}
