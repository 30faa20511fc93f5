import { z } from 'zod';
import { storable } from '../../db/schema/contact.js';
import { actionStatuses, coproductionLevels } from '../../db/schema/enums.js';
import { pageQuerySchema } from '../../http/pagination.js';
import { publicText } from '../../http/public-text.js';

export const actionStatusSchema = z.enum(actionStatuses).meta({
  id: 'ActionStatus',
  description:
    '`planned` and `in_progress` are live (their items are `planned`); `completed` closes every linked open item as `actioned`; `cancelled` sends items with no other live action back to `in_review`.',
});

export const coproductionLevelSchema = z.enum(coproductionLevels).meta({
  id: 'CoproductionLevel',
  description: 'The co-production ladder: no engagement → informing → consulting → involving → co-producing',
});

// Consulting, involving or co-producing with nobody is a flattering claim, not a record.
const needsPeople = new Set(['consulting', 'involving', 'co_producing']);

export const coproductionSchema = z
  .strictObject({
    level: coproductionLevelSchema,
    livedExperienceCount: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .default(0)
      .describe('How many people with lived experience took part'),
  })
  .refine((value) => !needsPeople.has(value.level) || value.livedExperienceCount >= 1, {
    path: ['livedExperienceCount'],
    message: 'consulting, involving and co_producing need at least one person with lived experience',
  })
  .meta({
    id: 'Coproduction',
    description: 'Default `{ level: "none", livedExperienceCount: 0 }`: honest is better than flattering.',
  });

export const actionSchema = z
  .object({
    id: z.uuid(),
    unitId: z.uuid(),
    title: z.string().describe('Public: shown on boards and tracking'),
    description: z.string().nullable().describe('Public: "We will …" while live'),
    status: actionStatusSchema,
    plannedFor: z.iso.date().nullable(),
    owner: z.string().nullable().describe('A team or role, never a patient'),
    coproduction: z.object({ level: coproductionLevelSchema, livedExperienceCount: z.number().int() }),
    feedbackIds: z.array(z.uuid()).describe('The feedback items this action answers'),
    outcome: z.string().nullable().describe('Public "We did …", set on completion'),
    completedAt: z.iso.datetime().nullable(),
    cancelledAt: z.iso.datetime().nullable(),
    cancelReason: z.string().nullable(),
    version: z.number().int().describe('Also sent as the ETag `"v<version>"`'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Action' });

const liveStatus = z.enum(['planned', 'in_progress']);

export const createActionSchema = z
  .strictObject({
    unitId: z.uuid().describe('The action’s unit; linked items must be in this unit or below it'),
    title: publicText(200),
    description: publicText(2000).optional(),
    plannedFor: z.iso.date().optional(),
    owner: publicText(200).optional().describe('A team or role, never a patient'),
    coproduction: coproductionSchema.optional(),
    status: liveStatus.optional().describe('`planned` (default) or `in_progress`'),
    feedbackIds: z.array(z.uuid()).max(1000).optional().describe('Open items to link; they become `planned`'),
  })
  .meta({ id: 'CreateAction' });

export const updateActionSchema = z
  .strictObject({
    title: publicText(200).optional(),
    description: publicText(2000).nullable().optional(),
    plannedFor: z.iso.date().nullable().optional(),
    owner: publicText(200).nullable().optional(),
    coproduction: coproductionSchema.optional(),
    status: liveStatus
      .optional()
      .describe('Only between `planned` and `in_progress`; use /complete or /cancel to finish'),
  })
  .meta({
    id: 'UpdateAction',
    description: 'Only live (planned or in-progress) actions can be edited; completed and cancelled ones are a record.',
  });

export const completeActionSchema = z
  .strictObject({
    outcome: publicText(2000).describe('Public, plain-language "We did …": what changed'),
  })
  .meta({ id: 'CompleteAction' });

export const cancelActionSchema = z
  .strictObject({
    reason: storable(z.string().trim().min(1).max(1000)).describe(
      'Why the action will not happen (kept in item histories)',
    ),
  })
  .meta({ id: 'CancelAction' });

export const actionParamsSchema = z.object({ id: z.uuid() });
export const actionLinkParamsSchema = z.object({ id: z.uuid(), feedbackId: z.uuid() });

export const listActionsQuerySchema = pageQuerySchema.extend({
  unitId: z.uuid().optional().describe('Only actions of this unit and its descendants'),
  status: actionStatusSchema.optional(),
  feedbackId: z.uuid().optional().describe('Only actions linked to this feedback item'),
});

export type Action = z.infer<typeof actionSchema>;
export type CreateAction = z.infer<typeof createActionSchema>;
export type UpdateAction = z.infer<typeof updateActionSchema>;
export type CompleteAction = z.infer<typeof completeActionSchema>;
export type CancelAction = z.infer<typeof cancelActionSchema>;
export type ListActionsQuery = z.infer<typeof listActionsQuerySchema>;
