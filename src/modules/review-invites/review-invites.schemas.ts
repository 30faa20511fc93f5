import { z } from 'zod';
import { storable } from '../../db/schema/contact.js';

export const reviewInviteStatuses = ['open', 'used', 'expired', 'revoked'] as const;

export const reviewInviteSchema = z
  .object({
    id: z.uuid(),
    name: z.string().nullable().describe('How staff know the reviewer; never shown on a board'),
    unitId: z.uuid().describe('The reviewer sees feedback of this unit and everything below it'),
    status: z
      .enum(reviewInviteStatuses)
      .describe(
        '`open`: the link works until `expiresAt`; `used`: it signed someone in and works no more; `expired`: never used in time; `revoked`: an admin stopped it, and any session it started',
      ),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    usedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
    activeSessions: z.number().int().describe('Sessions this invite started that are still signed in'),
  })
  .meta({ id: 'ReviewInvite' });

export const createReviewInviteSchema = z
  .strictObject({
    name: storable(z.string().trim().min(1).max(200))
      .optional()
      .describe('How staff know the reviewer (a first name, say); in the audit trail, never on a board'),
    unitId: z.uuid(),
  })
  .meta({ id: 'CreateReviewInvite' });

export const createdReviewInviteSchema = reviewInviteSchema
  .extend({
    url: z
      .url()
      .describe(
        'The one-time link to give the reviewer (under PUBLIC_BASE_URL). Shown this once only: only a hash of it is kept.',
      ),
  })
  .meta({ id: 'CreatedReviewInvite' });

export const reviewInviteParamsSchema = z.object({ id: z.uuid() });

export type ReviewInvite = z.infer<typeof reviewInviteSchema>;
export type CreateReviewInvite = z.infer<typeof createReviewInviteSchema>;
