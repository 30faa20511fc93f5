import { z } from 'zod';
import { storable } from '../../db/schema/contact.js';
import { safeguardingStatuses } from '../../db/schema/enums.js';
import { normaliseWords } from './safeguarding.screen.js';

export const safeguardingStatusSchema = z.enum(safeguardingStatuses).meta({
  id: 'SafeguardingStatus',
  description:
    'The safeguarding screen, an aid for a person and never a diagnosis: `none`; `flagged` when a phrase of the safeguarding list matched the words on intake, or staff flagged it by hand; `reviewed` (a person looked and acted as needed) or `cleared` (a person looked and there was no concern). A `flagged` item is kept off every public surface (boards, the tracking answer) until staff mark it `reviewed` or `cleared`.',
});

const phraseSchema = storable(z.string().trim().min(1).max(100)).refine(
  (phrase) => /[\p{L}\p{N}]/u.test(phrase),
  'A phrase needs at least one letter or digit',
);

export const safeguardingPhrasesSchema = z
  .object({
    phrases: z
      .array(z.string())
      .describe('The phrases, in the order the list keeps them; matched as whole words, ignoring case and accents'),
    version: z.int().describe('Goes up by one at each replacement; the ETag is `"v<version>"`'),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'SafeguardingPhrases' });

export const replaceSafeguardingPhrasesSchema = z
  .strictObject({
    phrases: z
      .array(phraseSchema)
      .max(1000)
      .superRefine((list, context) => {
        const seen = new Map<string, number>();
        for (const [index, phrase] of list.entries()) {
          const key = normaliseWords(phrase);
          const first = seen.get(key);
          if (first === undefined) seen.set(key, index);
          else {
            context.addIssue({
              code: 'custom',
              path: [index],
              message: `The same phrase as item ${first} once case, accents and spacing are ignored`,
            });
          }
        }
      })
      .describe(
        'The whole list (up to 1,000 phrases of 1–100 characters, each with a letter or digit, no two the same once case, accents and spacing are ignored). An empty list switches the screen off.',
      ),
  })
  .meta({ id: 'ReplaceSafeguardingPhrases' });

export type SafeguardingPhrases = z.infer<typeof safeguardingPhrasesSchema>;
