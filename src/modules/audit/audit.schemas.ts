import { z } from 'zod';
import { pageQuerySchema } from '../../http/pagination.js';

export const auditEventSchema = z
  .object({
    seq: z.number().int().describe('Position in the chain: 1, 2, 3… without gaps'),
    occurredAt: z.iso.datetime(),
    actorKeyId: z.uuid().nullable().describe('The API key that made the change; null for the service itself'),
    actorName: z
      .string()
      .describe(
        'The key’s name at the time, `system`, or for a "Did this answer you?" answer `the person who gave the feedback (by its reference)`',
      ),
    entityType: z
      .string()
      .describe(
        '`api_key`, `unit`, `themes`, `feedback`, `action`, `decision`, `webhook`, `report`, `reply`, `follow_up`…',
      ),
    entityId: z.string(),
    action: z.string().describe('What happened, e.g. `created`, `updated`, `revoked`'),
    details: z
      .record(z.string(), z.unknown())
      .describe('Names of the fields changed and public-safe facts; never private text or contact details'),
    prevHash: z.string().describe('`hash` of the event before (64 zeros for the first)'),
    hash: z.string().describe('SHA-256 (HMAC-SHA256 for version 3) over `prevHash` and this event’s content'),
    chainVersion: z
      .number()
      .int()
      .describe(
        'How `hash` was made: 1 fields joined by `|` (older events), 2 length-prefixed fields, 3 the same keyed with `AUDIT_HMAC_KEY`',
      ),
  })
  .meta({ id: 'AuditEvent' });

export const listAuditQuerySchema = pageQuerySchema.extend({
  entityType: z.string().min(1).max(50).optional(),
  entityId: z.string().min(1).max(200).optional(),
  actorKeyId: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Events at or after this time'),
  to: z.iso.datetime({ offset: true }).optional().describe('Events before this time'),
});

export const auditVerificationSchema = z
  .object({
    ok: z.boolean().describe('True when every event’s hash and link to the event before are intact'),
    checked: z.number().int().describe('How many events were checked'),
    firstBrokenSeq: z
      .number()
      .int()
      .nullable()
      .describe('The first event whose hash, link, sequence or chain version does not match; null when ok'),
    firstKeyedSeq: z
      .number()
      .int()
      .nullable()
      .describe(
        'The first event keyed with `AUDIT_HMAC_KEY`; null if none. Note it down: if it later moves or disappears, keyed events were rewritten as unkeyed ones',
      ),
  })
  .meta({ id: 'AuditVerification' });

export type AuditEvent = z.infer<typeof auditEventSchema>;
export type ListAuditQuery = z.infer<typeof listAuditQuerySchema>;
export type AuditVerification = z.infer<typeof auditVerificationSchema>;
