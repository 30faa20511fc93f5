-- Change-feed retention (EVENT_RETENTION_DAYS). event_retention is one row: the feed position up to
-- which events have been pruned, so a reader can tell a cursor older than what is kept (410) from a
-- quiet feed. The audit trail is another table (audit_events) and is never pruned.
CREATE TABLE "event_retention" (
	"one" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"pruned_through_seq" bigint DEFAULT 0 NOT NULL,
	"pruned_through_position" bigint DEFAULT 0 NOT NULL,
	"pruned_at" timestamp (3) with time zone,
	CONSTRAINT "event_retention_one_row" CHECK ("event_retention"."one"),
	CONSTRAINT "event_retention_position_check" CHECK ("event_retention"."pruned_through_seq" >= 0 and "event_retention"."pruned_through_position" >= 0)
);
--> statement-breakpoint
INSERT INTO "event_retention" DEFAULT VALUES;--> statement-breakpoint
-- A delivery (and, by the cascade already there, its attempts) goes with its event. The prune keeps
-- every event an enabled subscription has still to deliver; what goes is delivered, given up, or
-- queued for a subscription disabled for longer than the retention.
ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_event_position_events_position_fk";
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_position_events_position_fk" FOREIGN KEY ("event_position") REFERENCES "public"."events"("position") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_event_idx" ON "webhook_deliveries" USING btree ("event_position");--> statement-breakpoint
-- The retained range only shrinks from its start: the row stays, and moves forward only.
CREATE FUNCTION event_retention_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.pruned_through_seq, NEW.pruned_through_position)
      >= (OLD.pruned_through_seq, OLD.pruned_through_position) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'event_retention only moves forward: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER event_retention_forward_only BEFORE UPDATE OR DELETE ON event_retention
  FOR EACH ROW EXECUTE FUNCTION event_retention_refuse_change();
--> statement-breakpoint
CREATE TRIGGER event_retention_no_truncate BEFORE TRUNCATE ON event_retention
  FOR EACH STATEMENT EXECUTE FUNCTION event_retention_refuse_change();
--> statement-breakpoint
-- An event leaves the feed only through the prune: at or before the recorded position, which the
-- prune moves first in the same transaction. Anything else would be a gap no reader could see.
CREATE FUNCTION events_check_pruned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM deleted d
    LEFT JOIN event_commits c ON c.tx_id = d.tx_id
    CROSS JOIN event_retention r
    WHERE c.seq IS NULL OR (c.seq, d.position) > (r.pruned_through_seq, r.pruned_through_position)
  ) THEN
    RAISE EXCEPTION 'events are deleted only up to event_retention: DELETE refused' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER events_pruned_only AFTER DELETE ON events REFERENCING OLD TABLE AS deleted
  FOR EACH STATEMENT EXECUTE FUNCTION events_check_pruned();
--> statement-breakpoint
CREATE FUNCTION events_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are deleted only up to event_retention: TRUNCATE refused' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_truncate();
