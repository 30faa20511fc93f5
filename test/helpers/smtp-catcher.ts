import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  /** The envelope recipients (RCPT TO). */
  rcptTo: string[];
  /** The message as it came over the wire: headers and body. */
  raw: string;
  parsed: ParsedMail;
}

/** How the server answers the next message, instead of 250: an SMTP code and its words. */
interface Refusal {
  code: number;
  message: string;
}

/**
 * A real SMTP server on 127.0.0.1 (smtp-server) that keeps every message it accepts, parsed with
 * mailparser. `refuseNext` makes it answer the next DATA with an error code, `delayMs` delays each answer,
 * `holdMessage` leaves one unanswered.
 */
export async function startSmtpCatcher(options: { delayMs?: number } = {}) {
  const mails: CaughtMail[] = [];
  const refusals: Refusal[] = [];
  const waiters = new Set<() => void>();
  let seen = 0;
  let holdAt: number | undefined;
  let onHold: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    onHold = resolve;
  });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        // A message held gets no answer at all, as when the sender dies before the server replies.
        if (seen++ === holdAt) {
          onHold();
          return;
        }
        if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
        const refusal = refusals.shift();
        if (refusal) {
          callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({ rcptTo: session.envelope.rcptTo.map((to) => to.address), raw, parsed: await simpleParser(raw) });
        callback();
        for (const wake of [...waiters]) wake();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    refuseNext(code: number, message: string) {
      refusals.push({ code, message });
    },
    /** Leaves the `index`th message (0-based, counting every one that arrives) unanswered; `held` resolves when it comes. */
    holdMessage(index: number) {
      holdAt = index;
      return held;
    },
    /** Resolves once `count` messages have been accepted; rejects after `ms`. */
    received(count: number, ms = 20_000): Promise<void> {
      if (mails.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`only ${mails.length} of ${count} mails arrived`));
        }, ms);
        const check = () => {
          if (mails.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
