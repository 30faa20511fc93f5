import { z } from 'zod';
import { storable } from '../../db/schema/contact.js';
import { unitTypes } from '../../db/schema/enums.js';
import { pageQuerySchema } from '../../http/pagination.js';

export const unitTypeSchema = z.enum(unitTypes).meta({ id: 'UnitType' });

const responseTargetDays = z.number().int().min(1).max(365);
const acknowledgementTargetWorkingDays = z.number().int().min(1).max(30);

/** An NHS Organisation Data Service code: 3 to 6 letters and digits (a trust `RXX`, a site `RXX01`). */
const odsCode = z
  .string()
  .trim()
  .toUpperCase()
  // Either case in the pattern, so that the OpenAPI document accepts the `rxx01` the service takes.
  .regex(/^[A-Za-z0-9]{3,6}$/, 'an ODS code: 3 to 6 letters and digits, e.g. RXX or RXX01')
  .describe(
    'The NHS Organisation Data Service code of this trust or site (e.g. `RXX`, `RXX01`), unique; the FFT monthly return counts responses under it. Letters are stored in capitals',
  );

export const unitSchema = z
  .object({
    id: z.uuid(),
    type: unitTypeSchema,
    code: z.string(),
    name: z.string(),
    parentId: z.uuid().nullable(),
    responseTargetDays: responseTargetDays.describe(
      'Days to answer feedback: the unit’s own setting, else the nearest ancestor’s, else 28',
    ),
    responseTargetInherited: z
      .boolean()
      .describe('True when `responseTargetDays` comes from an ancestor or the default'),
    acknowledgementTargetWorkingDays: acknowledgementTargetWorkingDays.describe(
      'Working days (weekends and England and Wales bank holidays skipped) to acknowledge feedback after the day it was received: the unit’s own setting, else the nearest ancestor’s, else 3 (the NHS complaints regulations 2009); it sets each new item’s `acknowledgeBy`',
    ),
    acknowledgementTargetInherited: z
      .boolean()
      .describe('True when `acknowledgementTargetWorkingDays` comes from an ancestor or the default'),
    boardEnabled: z.boolean(),
    boardEasyRead: z.boolean().describe('Show the Easy Read form of the board by default'),
    odsCode: z
      .string()
      .nullable()
      .describe('The NHS ODS code, or null: the FFT return then counts the unit under its nearest ancestor’s code'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Unit' });

const code = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, "-" and "_", starting with a letter or digit, up to 64')
  .describe('Stable, unique code, e.g. `RXX-WILLOW`; used in board addresses');

/** The unit list is ordered by code, so its cursor carries the last code. */
export const unitCursorKey = z.tuple([code]);

export const createUnitSchema = z
  .strictObject({
    type: unitTypeSchema,
    code,
    name: storable(z.string().trim().min(1).max(200)),
    parentId: z.uuid().nullable().optional(),
    responseTargetDays: responseTargetDays.nullable().optional().describe('Null or absent: inherit'),
    acknowledgementTargetWorkingDays: acknowledgementTargetWorkingDays
      .nullable()
      .optional()
      .describe('Working days, 1 to 30. Null or absent: inherit'),
    boardEnabled: z.boolean().optional(),
    boardEasyRead: z.boolean().optional(),
    odsCode: odsCode.nullable().optional(),
  })
  .meta({ id: 'CreateUnit' });

export const updateUnitSchema = z
  .strictObject({
    name: storable(z.string().trim().min(1).max(200)).optional(),
    parentId: z.uuid().nullable().optional(),
    responseTargetDays: responseTargetDays.nullable().optional().describe('Null: inherit from the parent'),
    acknowledgementTargetWorkingDays: acknowledgementTargetWorkingDays
      .nullable()
      .optional()
      .describe(
        'Working days, 1 to 30; items received from then on get the new `acknowledgeBy`. Null: inherit from the parent',
      ),
    boardEnabled: z.boolean().optional(),
    boardEasyRead: z.boolean().optional(),
    odsCode: odsCode.nullable().optional().describe('Null clears it'),
  })
  .meta({ id: 'UpdateUnit', description: '`type` and `code` are fixed once created.' });

export const unitParamsSchema = z.object({ id: z.uuid() });

export const listUnitsQuerySchema = pageQuerySchema.extend({
  parentId: z.uuid().optional(),
  type: unitTypeSchema.optional(),
  within: z.uuid().optional().describe('Only this unit and its descendants'),
});

export type Unit = z.infer<typeof unitSchema>;
export type CreateUnit = z.infer<typeof createUnitSchema>;
export type UpdateUnit = z.infer<typeof updateUnitSchema>;
export type ListUnitsQuery = z.infer<typeof listUnitsQuerySchema>;
