import { z } from 'zod';

/**
 * PostgreSQL holds neither U+0000 nor (in jsonb) an unpaired UTF-16 surrogate: such a value is
 * refused as a 400 naming its field, before it can fail a write (and, in a batch, the write of
 * every other item with it).
 */
export const storable = (schema: z.ZodString) =>
  schema
    .refine((value) => !value.includes('\u0000'), 'must not contain the NUL character (U+0000)')
    .refine((value) => !/\p{Surrogate}/u.test(value), 'must not contain an unpaired UTF-16 surrogate');

/**
 * The private contact details of a feedback item, as stored in `feedback_items.contact` (jsonb):
 * the API's `Contact` schema is this one, so the column's type and what a request may send are one
 * declaration.
 */
export const storedContactSchema = z.strictObject({
  name: storable(z.string().trim().max(200)).optional(),
  email: z.email().max(320).optional(),
  phone: z
    .string()
    .trim()
    .max(40)
    .regex(/^[0-9+() .-]*$/, 'digits, spaces and + ( ) . - only')
    .optional(),
  wantsReply: z.boolean().optional(),
});

export type Contact = z.infer<typeof storedContactSchema>;
