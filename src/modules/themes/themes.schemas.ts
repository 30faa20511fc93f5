import { z } from 'zod';
import { storable } from '../../db/schema/contact.js';

export const themeSchema = z
  .object({
    code: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,47}$/, 'lower-case letters, digits and "_", starting with a letter')
      .describe('Stable code used on feedback, e.g. `food`'),
    label: storable(z.string().trim().min(1).max(100)).describe('Plain-language label shown to people'),
  })
  .meta({ id: 'Theme' });

export const replaceThemesSchema = z
  .strictObject({
    themes: z
      .array(themeSchema.strict())
      .min(1)
      .max(200)
      .refine((list) => new Set(list.map((t) => t.code)).size === list.length, 'Theme codes must be unique'),
  })
  .meta({
    id: 'ReplaceThemes',
    description:
      'The whole vocabulary, in display order. Codes left out are retired: kept on older feedback, not offered for new.',
  });

export const themeListSchema = z.object({ items: z.array(themeSchema), nextCursor: z.null() });

export type Theme = z.infer<typeof themeSchema>;
