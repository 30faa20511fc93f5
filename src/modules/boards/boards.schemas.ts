import { z } from 'zod';

export const boardEntryTypes = ['we_did', 'we_are_doing', 'we_couldnt'] as const;
export type BoardEntryType = (typeof boardEntryTypes)[number];

/** `true`/`false` (also `1`/`0`) in a query string; `z.coerce.boolean` would read "false" as true. */
const queryFlag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

export const boardQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Entries to show (1–100, default 20)'),
  includeDescendants: queryFlag
    .default(false)
    .describe('`true` for a site or trust board: entries and figures of every unit below it as well'),
  type: z.enum(boardEntryTypes).optional().describe('Only entries of this type'),
});
export type BoardQuery = z.infer<typeof boardQuerySchema>;

export const boardParamsSchema = z.object({ id: z.uuid() });

export const boardEntrySchema = z
  .object({
    type: z
      .enum(boardEntryTypes)
      .describe(
        '`we_did`: a completed action; `we_are_doing`: a planned or in-progress action; `we_couldnt`: a decision not to act',
      ),
    title: z.string().optional().describe('The action’s public title (actions only)'),
    panelRecommendation: z
      .string()
      .optional()
      .describe(
        'Actions only: the title of the lived-experience panel’s recommendation this action answers, when it answers one (“Our lived experience panel recommended …”)',
      ),
    youSaid: z
      .array(z.string())
      .describe(
        'The consented “You said” summaries this entry answers, newest first (at most 20). May be empty for an action: its own words are public.',
      ),
    response: z
      .string()
      .describe('`we_did`: the outcome; `we_are_doing`: the description (or the title); `we_couldnt`: the explanation'),
    date: z
      .string()
      .describe(
        '`we_did`: completedAt; `we_are_doing`: plannedFor (a date, `YYYY-MM-DD`) when set, else when it was created; `we_couldnt`: decidedAt',
      ),
  })
  .meta({ id: 'BoardEntry' });

export const panelEntrySchema = z
  .object({
    recommended: z.string().describe('What the lived-experience panel recommended (its title); never who'),
    status: z
      .enum(['accepted', 'done', 'declined'])
      .describe('`accepted`: we are doing it; `done`: every action answering it is completed; `declined`: we couldn’t'),
    actions: z
      .array(
        z.object({
          title: z.string(),
          status: z.enum(['planned', 'in_progress', 'completed']),
          outcome: z.string().nullable().describe('“We did …”, once completed'),
        }),
      )
      .describe('The actions answering it (cancelled ones left out); empty when declined'),
    response: z.string().nullable().describe('`declined`: “We couldn’t, because …”; null otherwise'),
    date: z.iso.datetime().describe('`done`: when it was done; otherwise when staff answered it'),
  })
  .meta({ id: 'BoardPanelEntry' });

export const boardStatsSchema = z
  .object({
    received: z.number().int().describe('Feedback received in the last 90 days (whole UTC days, today included)'),
    closed: z.number().int().describe('Of those, how many are closed'),
    actioned: z.number().int().describe('Of those, closed by an action (“We did”)'),
    notActioned: z.number().int().describe('Of those, closed by a decision not to act (“We couldn’t”)'),
    fft: z
      .object({
        responses: z.number().int().describe('Friends and Family Test responses among the items received'),
        positive: z.number().int().describe('Of those, rated good or very good'),
      })
      .nullable()
      .describe(
        'The Friends and Family Test over the same 90 days, in aggregate only; null when fewer than 8 people answered (as the FFT report withholds its percentages)',
      ),
  })
  .meta({ id: 'BoardStats' });

export const boardSchema = z
  .object({
    unit: z.object({ id: z.uuid(), code: z.string(), name: z.string() }),
    generatedAt: z.iso
      .datetime()
      .describe(
        'When this content was built: it also moves when a server restarts, drops its cached copy or the figures roll over at midnight, so it is not when the board changed',
      ),
    changedAt: z.iso
      .datetime()
      .describe(
        'When the board last changed (its “Last changed”): the latest change to the unit, or with `includeDescendants` to any unit below it, that can alter what the board shows. Part of the content the ETag is computed from',
      ),
    entries: z.array(boardEntrySchema).describe('Newest first'),
    panel: z
      .array(panelEntrySchema)
      .describe(
        'What the lived-experience panel recommended and what the unit did, or why not: recommendations staff have answered, newest first (at most `limit`). Proposed ones appear once answered',
      ),
    stats: boardStatsSchema,
  })
  .meta({
    id: 'Board',
    description:
      'The public “You said – We did” board. Only public-safe words: consented `youSaid` summaries, action titles, descriptions and outcomes, decision explanations.',
  });

export type Board = z.infer<typeof boardSchema>;
export type BoardEntry = z.infer<typeof boardEntrySchema>;
export type BoardPanelEntry = z.infer<typeof panelEntrySchema>;
