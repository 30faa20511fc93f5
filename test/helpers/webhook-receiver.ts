import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedMessage {
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers the nth message (0-based); it may also leave the response hanging. */
export type Responder = (message: ReceivedMessage, index: number, response: ServerResponse) => void;

export const answer =
  (status: number, headers: Record<string, string> = {}): Responder =>
  (_message, _index, response) =>
    response.writeHead(status, headers).end();

/** A real HTTP receiver on 127.0.0.1 that records every message it gets. */
export async function startReceiver(respond: Responder = answer(204)) {
  const messages: ReceivedMessage[] = [];
  let responder = respond;
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const message = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      messages.push(message);
      responder(message, messages.length - 1, response);
      for (const waiter of [...waiters]) {
        if (messages.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    messages,
    respondWith(next: Responder) {
      responder = next;
    },
    /** Resolves once `count` messages have arrived; rejects after `ms`. */
    received(count: number, ms = 20_000): Promise<void> {
      if (messages.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${messages.length} of ${count} messages arrived`)), ms);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Checks a message as a receiver must (Standard Webhooks rules) and returns the parsed event. */
export function verified(secret: string, message: ReceivedMessage) {
  return new Webhook(secret).verify(message.body, message.headers as Record<string, string>) as {
    id: string;
    type: string;
    unitId: string;
    data: Record<string, unknown>;
  };
}
