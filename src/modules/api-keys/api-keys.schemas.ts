import { z } from 'zod';
import { storable } from '../../db/schema/contact.js';
import { keyRevocationReasons, roles } from '../../db/schema/enums.js';

export const roleSchema = z.enum(roles).meta({
  id: 'Role',
  description:
    '`admin` everything and key management; `staff` triage, actions, decisions; `intake` create feedback and read back what it created; `auditor` read-only reports, audit and items without contact details; `display` boards and the change feed.',
});

export const apiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: roleSchema,
    unitId: z.uuid().nullable().describe('When set, the key sees this unit and its descendants only'),
    prefix: z
      .string()
      .describe(
        'The first characters of the secret, to tell keys apart; for the ADMIN_API_KEY key, `env_` and a tag from the secret’s hash, since that secret was chosen by a person',
      ),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
    revokedReason: z
      .enum(keyRevocationReasons)
      .nullable()
      .describe(
        '`admin`: revoked through the API, for good; `bootstrap`: revoked at start-up because ADMIN_API_KEY no longer held this secret, and working again once it does',
      ),
  })
  .meta({ id: 'ApiKey' });

export const createApiKeySchema = z
  .strictObject({
    name: storable(z.string().trim().min(1).max(100)),
    role: roleSchema,
    unitId: z.uuid().nullable().optional(),
  })
  .meta({ id: 'CreateApiKey' });

export const createdApiKeySchema = apiKeySchema
  .extend({ key: z.string().describe('The secret. Shown this once only: store it now.') })
  .meta({ id: 'CreatedApiKey' });

export const apiKeyParamsSchema = z.object({ id: z.uuid() });

export type ApiKey = z.infer<typeof apiKeySchema>;
export type CreateApiKey = z.infer<typeof createApiKeySchema>;
