import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import { Webhook } from 'standardwebhooks';
import { guardedLookup, hostOf, isPublicAddress, privateRefusal } from './webhook-targets.js';

export interface DeliveryOutcome {
  /** The receiver's status; undefined when no answer came. */
  statusCode?: number;
  error?: string;
  durationMs: number;
}

export interface SignedMessage {
  /** The event id: the same on every attempt, so receivers can de-duplicate. */
  id: string;
  body: string;
}

export const userAgent = 'WeDid-Webhooks/1';

/** Headers of a Standard Webhooks message, signed with the subscription's `whsec_` secret. */
export function signedHeaders(secret: string, message: SignedMessage, now = new Date()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': userAgent,
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(message.id, now, message.body),
  };
}

/**
 * One POST. Redirects are not followed (a 3xx is a failed attempt), the receiver's body is read and
 * dropped, and the whole exchange is bounded by `timeoutMs`.
 */
export function postMessage(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivate: boolean; signal: AbortSignal },
): Promise<DeliveryOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const target = new URL(url);
    const host = hostOf(target);
    // Node skips the lookup for an IP literal, so literals are checked here.
    if (!options.allowPrivate && ipaddr.isValid(host) && !isPublicAddress(host)) {
      resolve({ error: privateRefusal(host, host), durationMs: elapsed() });
      return;
    }
    // One controller per attempt, unhooked afterwards: AbortSignal.any on the long-lived stop signal
    // keeps a little memory per call in Node 20.
    const attempt = new AbortController();
    const abort = () => attempt.abort();
    const timer = setTimeout(() => attempt.abort(new DOMException('timeout', 'TimeoutError')), options.timeoutMs);
    options.signal.addEventListener('abort', abort, { once: true });
    if (options.signal.aborted) abort();
    const settle = (outcome: DeliveryOutcome) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', abort);
      resolve(outcome);
    };
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      lookup: guardedLookup(options.allowPrivate),
      signal: attempt.signal,
    });
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => settle({ statusCode: response.statusCode ?? 0, durationMs: elapsed() }));
      response.on('error', () => settle({ statusCode: response.statusCode ?? 0, durationMs: elapsed() }));
    });
    request.on('error', (error: Error) => {
      const reason =
        error.name === 'TimeoutError' || error.name === 'AbortError'
          ? `No answer within ${options.timeoutMs} ms`
          : error.message;
      settle({ error: reason.slice(0, 500), durationMs: elapsed() });
    });
    request.end(body);
  });
}
