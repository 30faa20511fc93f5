import { z } from 'zod';
import { communicationNeeds, replyChannels } from './enums.js';

/**
 * PostgreSQL holds neither U+0000 nor (in jsonb) an unpaired UTF-16 surrogate: such a value is
 * refused as a 400 naming its field, before it can fail a write (and, in a batch, the write of
 * every other item with it).
 */
export const storable = (schema: z.ZodString) =>
  schema
    .refine((value) => !value.includes('\u0000'), 'must not contain the NUL character (U+0000)')
    .refine((value) => !/\p{Surrogate}/u.test(value), 'must not contain an unpaired UTF-16 surrogate');

/** A line that goes into a message header or an address block: no line breaks or other control characters. */
const oneLine = (schema: z.ZodString) =>
  storable(schema).refine((value) => !/\p{Cc}/u.test(value), 'must be one line, without control characters');

/** UK mobile numbers (07…, +447…, 00447…), the ones GOV.UK Notify texts without an international plan. */
export function isMobileNumber(phone: string): boolean {
  return /^(?:\+44|0044|0)7\d{9}$/.test(phone.replace(/[ ().-]/g, ''));
}

/** A BCP 47 language tag as the platform understands it (`pl`, `cy`, `pt-BR`), in its canonical form. */
function canonicalLanguage(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/**
 * The private contact details of a feedback item, as stored in `feedback_items.contact` (jsonb):
 * the API's `Contact` schema is this one, so the column's type and what a request may send are one
 * declaration. The reply fields follow DESIGN section 5 ("Replies to the person").
 */
export const storedContactSchema = z
  .strictObject({
    name: oneLine(z.string().trim().max(200)).optional(),
    email: z.email().max(320).optional(),
    phone: z
      .string()
      .trim()
      .max(40)
      .regex(/^[0-9+() .-]*$/, 'digits, spaces and + ( ) . - only')
      .optional(),
    wantsReply: z.boolean().optional(),
    replyBy: z
      .enum(replyChannels)
      .optional()
      .describe(
        'How the person wants to be answered. When missing and a reply is wanted: email if there is an email, else SMS if `phone` is a mobile number, else in person. Sending it implies `wantsReply` unless that is false',
      ),
    address: storable(z.string().trim().max(500))
      .refine(
        (value) => !/\p{Cc}/u.test(value.replace(/\r?\n/g, '')),
        'must not contain control characters other than line breaks',
      )
      .refine((value) => {
        const lines = value.split(/\r?\n/).filter((line) => line.trim() !== '');
        return lines.length >= 2 && lines.length <= 6;
      }, 'must have 2 to 6 lines (separated by line breaks), the postcode last')
      .optional()
      .describe('Postal address for letters: 2 to 6 lines separated by line breaks, the postcode last'),
    communicationNeeds: z
      .array(z.enum(communicationNeeds))
      .max(communicationNeeds.length * 2)
      .optional()
      .describe(
        'After the NHS Accessible Information Standard. `easy_read` and `large_print` shape the reply; `bsl`, `interpreter`, `braille`, `audio` (and a `language` other than English) cannot be met by sending it, so the reply goes to staff to give in person',
      ),
    language: z
      .string()
      .trim()
      .max(35)
      .refine((tag) => canonicalLanguage(tag) !== undefined, 'must be a BCP 47 language tag, such as pl, cy or pt-BR')
      .optional()
      .describe('BCP 47 language tag (e.g. `pl`, `cy`); default English'),
  })
  .superRefine((contact, ctx) => {
    const need = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (contact.replyBy === 'email' && !contact.email) need('email', 'replyBy is email, so an email address is needed');
    if (contact.replyBy === 'sms' && !contact.phone) need('phone', 'replyBy is sms, so a mobile number is needed');
    if (contact.replyBy === 'sms' && contact.phone && !isMobileNumber(contact.phone)) {
      need('phone', 'replyBy is sms, but this is not a UK mobile number (07… or +447…)');
    }
    if (contact.replyBy === 'letter' && !contact.address)
      need('address', 'replyBy is letter, so a postal address is needed');
  });

export type Contact = z.infer<typeof storedContactSchema>;

/**
 * The contact as stored: the reply channel settled (the defaults above), needs listed once and the
 * language in canonical form, so the item shows staff exactly how the person will be answered.
 */
export function settleContact(contact: Contact): Contact {
  const wantsReply = contact.wantsReply ?? (contact.replyBy ? true : undefined);
  const replyBy =
    contact.replyBy ??
    (wantsReply
      ? contact.email
        ? 'email'
        : contact.phone && isMobileNumber(contact.phone)
          ? 'sms'
          : 'in_person'
      : undefined);
  const settled: Contact = { ...contact, wantsReply, replyBy };
  if (contact.communicationNeeds) settled.communicationNeeds = [...new Set(contact.communicationNeeds)];
  if (contact.language) settled.language = canonicalLanguage(contact.language);
  return Object.fromEntries(Object.entries(settled).filter(([, value]) => value !== undefined));
}
