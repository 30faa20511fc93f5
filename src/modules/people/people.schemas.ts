import { z } from 'zod';
import { storable } from '../../db/schema/contact.js';
import { personRoles } from '../../db/schema/people.js';

export const personRoleSchema = z.enum(personRoles).meta({
  id: 'PersonRole',
  description:
    'What a person signed in to the staff console may do, as an API key of the same role: `admin` everything, people included; `staff` triage, actions, decisions; `auditor` read-only reports, audit and items without contact details.',
});

/** Compared case-insensitively: kept, and matched at sign-in, in lower case. */
const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .check(z.email())
  .describe('The address the identity provider signs the person in with (its verified `email` claim); any case');

const groupSchema = storable(z.string().trim().min(1).max(256))
  .refine((value) => !/\p{Cc}/u.test(value), 'must not contain control characters')
  .describe('A group the identity provider names in the `groups` claim; for Microsoft Entra ID, the group’s object id');

const unitIdSchema = z
  .uuid()
  .nullable()
  .describe('When set, the person sees this unit and its descendants only; null: the whole trust');

export const personSchema = z
  .object({
    id: z.uuid(),
    email: z.string().nullable().describe('Set when this row matches one person by address (lower case)'),
    group: z.string().nullable().describe('Set when this row matches everyone in an identity-provider group'),
    role: personRoleSchema,
    unitId: unitIdSchema,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Person' });

export const oneMatch = (person: { email?: string | null | undefined; group?: string | null | undefined }) =>
  (person.email != null) !== (person.group != null);
export const oneMatchMessage = 'Give exactly one of email or group';

export const createPersonSchema = z
  .strictObject({
    email: emailSchema.optional(),
    group: groupSchema.optional(),
    role: personRoleSchema,
    unitId: unitIdSchema.optional(),
  })
  .refine(oneMatch, { message: oneMatchMessage, path: ['email'] })
  .meta({ id: 'CreatePerson' });

export const updatePersonSchema = z
  .strictObject({
    email: emailSchema.nullable().optional(),
    group: groupSchema.nullable().optional(),
    role: personRoleSchema.optional(),
    unitId: unitIdSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Send at least one of email, group, role, unitId')
  .meta({
    id: 'UpdatePerson',
    description:
      'A merge patch: fields left out keep their value. To switch a row from an email to a group, send the group and `email: null`.',
  });

export const personParamsSchema = z.object({ id: z.uuid() });

export type Person = z.infer<typeof personSchema>;
export type CreatePerson = z.infer<typeof createPersonSchema>;
export type UpdatePerson = z.infer<typeof updatePersonSchema>;

export const personInviteSchema = z
  .object({
    id: z.uuid(),
    personId: z.uuid(),
    url: z.url().describe('The one-time link, under PUBLIC_BASE_URL. Shown this once only: send it to the person now.'),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'PersonInvite' });
