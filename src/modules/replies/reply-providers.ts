import type { AxiosError, AxiosStatic } from 'axios';
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { NotifyClient } from 'notifications-node-client';
import type { Config } from '../../config.js';
import type { Contact } from '../../db/schema/contact.js';
import type { ReplyMessage } from './replies.messages.js';

/** A reply ready to go: its words and whom to send them to. */
export interface OutgoingReply {
  id: string;
  message: ReplyMessage;
  /** The person's name, if they gave one: the email's display name, a letter's first line. */
  name: string | undefined;
  /** The email address, mobile number or postal address (lines separated by line breaks). */
  to: string;
}

export type SendOutcome =
  | { ok: true; providerReference: string }
  /** `temporary`: worth trying again later (a 4xx SMTP answer, a 5xx or 429 from Notify, no answer). */
  | { ok: false; temporary: boolean; reason: string };

export interface ReplyProvider {
  send(reply: OutgoingReply): Promise<SendOutcome>;
  close(): void;
}

export type SendChannel = 'email' | 'sms' | 'letter';

const recipientField = { email: 'email', sms: 'phone', letter: 'address' } as const;
const recipientMissing = {
  email: 'The contact no longer has an email address',
  sms: 'The contact no longer has a mobile number',
  letter: 'The contact no longer has a postal address',
} as const;

/** Where this channel sends to, from the contact as it is now, or why it cannot be sent. */
export function recipientOf(channel: SendChannel, contact: Contact): { to: string } | { missing: string } {
  const to = contact[recipientField[channel]];
  if (!to) return { missing: recipientMissing[channel] };
  // Intake validates the address; a row written before that, or by hand, could hold a second
  // address or a header after a line break. One plain address or nothing.
  if (channel === 'email' && !/^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/.test(to)) {
    return { missing: 'The contact’s email address is not a single valid address' };
  }
  return { to };
}

/** A provider for each channel, or why there is none (staff see the reason on the reply). */
export type ReplyProviders = Record<SendChannel, ReplyProvider | { unavailable: string }>;

const reasonLength = 500;
const clip = (reason: string) => reason.replace(/\s+/g, ' ').trim().slice(0, reasonLength);

/** Control characters (CR, LF …) out of anything that goes into a header or an address block. */
const oneLine = (value: string) => value.replace(/\p{Cc}+/gu, ' ').trim();

/** The domain of MAIL_FROM, for Message-IDs of our own. */
function mailDomain(mailFrom: string): string {
  const address = /<([^<>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom;
  return address.slice(address.lastIndexOf('@') + 1).trim();
}

/**
 * Email over SMTP with nodemailer. The Message-ID is the reply's own (`<reply-id@mail-domain>`), so
 * a message sent again after a crash is recognisably the same one. The recipient goes in as an
 * address object, which nodemailer encodes, never as a header string we build. nodemailer is
 * loaded here, only when SMTP is configured: a process that sends no email does not hold it.
 */
async function smtpProvider(smtpUrl: string, mailFrom: string, timeoutMs: number): Promise<ReplyProvider> {
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    url: smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const domain = mailDomain(mailFrom);
  return {
    async send({ id, message, name, to }) {
      try {
        const info = await transport.sendMail({
          from: mailFrom,
          to: { name: oneLine(name ?? ''), address: oneLine(to) },
          subject: message.subject,
          text: message.text,
          messageId: `<${id}@${domain}>`,
          // Replies go to a person who asked for them; an auto-reply back to us is not wanted.
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
        return { ok: true, providerReference: info.messageId };
      } catch (error) {
        const smtp = error as SMTPConnection.SMTPError;
        const code = smtp.responseCode;
        // 5xx: the server refused this message for good; 4xx, no answer, or our login refused
        // (a setting to fix, not the person's fault): try again later.
        const permanent = code !== undefined && code >= 500 && smtp.code !== 'EAUTH';
        return { ok: false, temporary: !permanent, reason: clip(`SMTP: ${smtp.response ?? smtp.message}`) };
      }
    },
    close: () => transport.close(),
  };
}

/** Notify's reason for refusing a request, as its API states it. */
function notifyReason(
  error: unknown,
  isAxiosError: (error: unknown) => error is AxiosError,
): { temporary: boolean; reason: string } {
  if (!isAxiosError(error) || !error.response) {
    return { temporary: true, reason: clip(`GOV.UK Notify: no answer (${(error as Error).message})`) };
  }
  const { status, data } = error.response;
  const errors = (data as { errors?: { error?: string; message?: string }[] } | undefined)?.errors ?? [];
  const said = errors.map((item) => [item.error, item.message].filter(Boolean).join(': ')).join('; ');
  return {
    temporary: status === 429 || status >= 500,
    reason: clip(`GOV.UK Notify ${status}: ${said || error.message}`),
  };
}

/** The address block of a letter: the name as the first line, the postcode last (Notify checks it). */
function letterAddress(name: string | undefined, address: string): Record<string, string> {
  const lines = [name ?? '', ...address.split(/\r?\n/)]
    .map(oneLine)
    .filter((line) => line !== '')
    .slice(-7);
  return Object.fromEntries(lines.map((line, index) => [`address_line_${index + 1}`, line]));
}

/** GOV.UK Notify's client and the axios it sends with. */
interface NotifyLibraries {
  NotifyClient: typeof NotifyClient;
  axios: AxiosStatic;
  isAxiosError: (error: unknown) => error is AxiosError;
}

/**
 * Loaded only when NOTIFY_API_KEY is set: a process that sends nothing through Notify does not hold
 * the client and axios (together about 25 MB of a fresh process's memory).
 */
async function loadNotify(): Promise<NotifyLibraries> {
  const [{ NotifyClient }, { default: axios, isAxiosError }] = await Promise.all([
    import('notifications-node-client'),
    import('axios'),
  ]);
  return { NotifyClient, axios, isAxiosError };
}

/**
 * GOV.UK Notify through its official client: each channel's template holds ((subject)) and
 * ((body)) (an SMS template, ((body)) only). The reply id is the notification's `reference`.
 */
function notifyProvider(
  { NotifyClient, axios, isAxiosError }: NotifyLibraries,
  config: Config,
  channel: SendChannel,
  templateId: string,
  timeoutMs: number,
): ReplyProvider {
  const client = new NotifyClient(config.NOTIFY_BASE_URL.replace(/\/+$/, ''), config.NOTIFY_API_KEY ?? '');
  // Notify's client waits for ever by default; its own axios, bounded. (The client types axios as
  // CommonJS, our import is the ES module: one library, two declarations.)
  client.setClient(axios.create({ timeout: timeoutMs }) as unknown as Parameters<NotifyClient['setClient']>[0]);
  const request = ({ id, message, name, to }: OutgoingReply) => {
    const personalisation = { subject: message.subject, body: message.text };
    if (channel === 'email') return client.sendEmail(templateId, to, { personalisation, reference: id });
    if (channel === 'sms') {
      return client.sendSms(templateId, to, { personalisation: { body: message.sms }, reference: id });
    }
    return client.sendLetter(templateId, {
      personalisation: { ...letterAddress(name, to), ...personalisation },
      reference: id,
    });
  };
  return {
    async send(reply) {
      try {
        return { ok: true, providerReference: (await request(reply)).data.id };
      } catch (error) {
        return { ok: false, ...notifyReason(error, isAxiosError) };
      }
    },
    close: () => undefined,
  };
}

/**
 * The provider of each channel as configured: email over SMTP when SMTP_URL is set, else through
 * GOV.UK Notify; SMS and letters through Notify. A channel without one says what to set. Each
 * provider's libraries are loaded only when it is configured.
 */
export async function configuredProviders(config: Config, timeoutMs: number): Promise<ReplyProviders> {
  const notifyLibraries = config.NOTIFY_API_KEY ? await loadNotify() : undefined;
  const notify = (channel: SendChannel, templateId: string | undefined, variable: string) => {
    if (!notifyLibraries) return undefined;
    if (!templateId) return { unavailable: `GOV.UK Notify is configured, but ${variable} is not set` };
    return notifyProvider(notifyLibraries, config, channel, templateId, timeoutMs);
  };
  return {
    email:
      config.SMTP_URL && config.MAIL_FROM
        ? await smtpProvider(config.SMTP_URL, config.MAIL_FROM, timeoutMs)
        : (notify('email', config.NOTIFY_EMAIL_TEMPLATE_ID, 'NOTIFY_EMAIL_TEMPLATE_ID') ?? {
            unavailable: 'No email provider is configured: set SMTP_URL (and MAIL_FROM) or NOTIFY_API_KEY',
          }),
    sms: notify('sms', config.NOTIFY_SMS_TEMPLATE_ID, 'NOTIFY_SMS_TEMPLATE_ID') ?? {
      unavailable: 'No SMS provider is configured: set NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID',
    },
    letter: notify('letter', config.NOTIFY_LETTER_TEMPLATE_ID, 'NOTIFY_LETTER_TEMPLATE_ID') ?? {
      unavailable: 'No letter provider is configured: set NOTIFY_API_KEY and NOTIFY_LETTER_TEMPLATE_ID',
    },
  };
}
