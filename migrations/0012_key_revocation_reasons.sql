-- Who revoked a key decides whether start-up may bring it back: a bootstrap key that start-up revoked
-- (ADMIN_API_KEY unset or changed) is revived when its secret is configured again; one an admin
-- revoked stays revoked. Earlier revocations are read back from the audit trail.
ALTER TABLE "api_keys" ADD COLUMN "revoked_reason" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "revoked_by_key_id" uuid REFERENCES "api_keys"("id");--> statement-breakpoint
UPDATE "api_keys" k SET
  "revoked_reason" = CASE WHEN k.bootstrap AND last.actor_key_id IS NULL THEN 'bootstrap' ELSE 'admin' END,
  "revoked_by_key_id" = last.actor_key_id
FROM api_keys k2
LEFT JOIN LATERAL (
  SELECT a.actor_key_id FROM audit_events a
  WHERE a.entity_type = 'api_key' AND a.entity_id = k2.id::text AND a.action = 'revoked'
  ORDER BY a.seq DESC LIMIT 1
) last ON true
WHERE k2.id = k.id AND k.revoked_at IS NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_revoked_reason_check" CHECK (
  (revoked_reason IS NULL AND revoked_by_key_id IS NULL)
  OR revoked_reason = 'admin'
  OR (revoked_reason = 'bootstrap' AND bootstrap AND revoked_by_key_id IS NULL)
);--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_revoked_consistent_check" CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL));--> statement-breakpoint
-- A subscription is stopped when the key that made it is revoked ('creator_revoked').
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_disabled_reason_check" CHECK (
  disabled_reason in ('gone', 'failing', 'creator_revoked')
  AND (status = 'disabled') = (disabled_reason IS NOT NULL)
);
