import { z } from 'zod';
import { storable } from '../../db/schema/contact.js';
import { deliveryStatuses, webhookDisabledReasons, webhookStatuses } from '../../db/schema/enums.js';
import { pageQuerySchema } from '../../http/pagination.js';
import { eventTypeSchema } from '../events/events.schemas.js';

export const webhookSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    eventTypes: z.array(eventTypeSchema),
    unitId: z.uuid().nullable().describe('Only events about this unit’s subtree; null for all units'),
    description: z.string().nullable(),
    status: z
      .enum(webhookStatuses)
      .describe(
        '`disabled` after a 410 from the receiver, a day of failures, or the revocation of the key that owns it; enabling it or re-sending a delivery enables it',
      ),
    disabledReason: z
      .enum(webhookDisabledReasons)
      .nullable()
      .describe(
        '`gone`: the receiver answered 410; `failing`: a day of failed retries; `creator_revoked`: the key that made (or last enabled) it was revoked',
      ),
    disabledAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Webhook' });

export const createWebhookSchema = z
  .strictObject({
    url: storable(z.string().max(2000)).describe(
      'http(s) URL that receives POSTed events. Loopback, private, link-local and metadata addresses are refused unless the operator allows them',
    ),
    eventTypes: z
      .array(eventTypeSchema)
      .min(1)
      .max(20)
      .refine((types) => new Set(types).size === types.length, 'Each event type once'),
    unitId: z
      .uuid()
      .nullable()
      .optional()
      .describe('Only events about this unit’s subtree. Required, and within scope, for a key scoped to a unit'),
    description: storable(z.string().trim().min(1).max(200)).optional(),
  })
  .meta({ id: 'CreateWebhook' });

export const createdWebhookSchema = webhookSchema
  .extend({
    secret: z
      .string()
      .describe(
        'The `whsec_…` signing secret, shown this once only. Verify `webhook-signature` with any Standard Webhooks library',
      ),
  })
  .meta({ id: 'CreatedWebhook' });

export const deliveryAttemptSchema = z.object({
  attemptedAt: z.iso.datetime(),
  statusCode: z.int().nullable().describe('The receiver’s HTTP status; null when it did not answer'),
  error: z.string().nullable(),
  durationMs: z.int(),
});

export const deliverySchema = z
  .object({
    id: z.uuid(),
    eventId: z.uuid().describe('Also the `webhook-id` header of every attempt'),
    eventType: eventTypeSchema,
    status: z
      .enum(deliveryStatuses)
      .describe('`pending` until a 2xx (`delivered`) or until given up (`failed`, after a 410 or a day of retries)'),
    nextAttemptAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    attempts: z.array(deliveryAttemptSchema).describe('Oldest first'),
  })
  .meta({ id: 'WebhookDelivery' });

export const webhookParamsSchema = z.object({ id: z.uuid() });
export const deliveryParamsSchema = z.object({ id: z.uuid(), deliveryId: z.uuid() });
export const listDeliveriesQuerySchema = pageQuerySchema.extend({ status: z.enum(deliveryStatuses).optional() });

export type Webhook = z.infer<typeof webhookSchema>;
export type CreateWebhook = z.infer<typeof createWebhookSchema>;
export type Delivery = z.infer<typeof deliverySchema>;
export type ListDeliveriesQuery = z.output<typeof listDeliveriesQuerySchema>;
