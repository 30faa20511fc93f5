-- The safeguarding screen (issue 17, part 6): intake screens each item's words against a phrase list
-- that admins manage; a match flags the item, which then stays off every public surface until staff
-- mark it reviewed or cleared. The screen is an aid for a person, never a diagnosis.
ALTER TABLE "feedback_items" ADD COLUMN "safeguarding" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
-- The phrases of the list that matched at intake: for staff, never public, never the text itself.
ALTER TABLE "feedback_items" ADD COLUMN "safeguarding_matches" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_safeguarding_check" CHECK (safeguarding in ('none', 'flagged', 'reviewed', 'cleared'));--> statement-breakpoint
CREATE INDEX "feedback_safeguarding_flagged_idx" ON "feedback_items" USING btree ("received_at" DESC, "id" DESC) WHERE safeguarding = 'flagged';--> statement-breakpoint
-- The list itself: one row, versioned for ETag and If-Match. Seeded with a small starting list
-- (self-harm, suicide, abuse, violence); the README says where it came from.
CREATE TABLE "safeguarding_phrase_list" (
  "id" boolean PRIMARY KEY DEFAULT true NOT NULL,
  "phrases" text[] NOT NULL,
  "version" integer DEFAULT 1 NOT NULL,
  "updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "safeguarding_phrase_list_single_check" CHECK (id)
);--> statement-breakpoint
INSERT INTO "safeguarding_phrase_list" ("phrases") VALUES (ARRAY[
  'kill myself', 'suicide', 'suicidal', 'end my life', 'self harm', 'self-harm', 'hurt myself', 'overdose',
  'abuse', 'abused', 'hit me', 'assault', 'assaulted', 'rape', 'raped'
]);--> statement-breakpoint
-- Every safeguarding status an item has held, from when: reports rebuild any past moment from it
-- (`asOf`). Written by triggers in the write's own transaction; append-only.
CREATE TABLE "feedback_safeguarding_history" (
  "id" bigserial PRIMARY KEY NOT NULL,
  "feedback_id" uuid NOT NULL REFERENCES "feedback_items"("id"),
  "safeguarding" text NOT NULL,
  "at" timestamp (6) with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE INDEX "feedback_safeguarding_history_latest_idx" ON "feedback_safeguarding_history" USING btree ("feedback_id", "at" DESC, "id" DESC, "safeguarding");--> statement-breakpoint
ALTER TABLE "events" DROP CONSTRAINT "events_type_check";--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_type_check" CHECK (type in ('feedback.received', 'feedback.updated', 'feedback.closed', 'feedback.reopened', 'feedback.follow_up', 'feedback.safeguarding', 'action.created', 'action.updated', 'action.completed', 'action.cancelled', 'board.updated'));--> statement-breakpoint
-- feedback.safeguarding: the item, its unit and its status, never its text or the phrases matched.
CREATE FUNCTION feedback_safeguarding_event_data(f feedback_items) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('id', f.id, 'unitId', f.unit_id, 'safeguarding', f.safeguarding)
$$;
--> statement-breakpoint
-- Named after feedback_items_received_events so that, on an insert, feedback.received comes first
-- (statement triggers of one event fire in name order).
CREATE FUNCTION feedback_items_safeguarding_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO feedback_safeguarding_history (feedback_id, safeguarding)
  SELECT n.id, n.safeguarding FROM inserted n WHERE n.safeguarding <> 'none' ORDER BY n.id;
  INSERT INTO events (type, unit_id, data)
  SELECT 'feedback.safeguarding', n.unit_id, feedback_safeguarding_event_data(n)
  FROM inserted n WHERE n.safeguarding <> 'none' ORDER BY n.received_at, n.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_items_safeguarding_inserted AFTER INSERT ON feedback_items
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION feedback_items_safeguarding_inserted();
--> statement-breakpoint
CREATE FUNCTION feedback_items_safeguarding_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO feedback_safeguarding_history (feedback_id, safeguarding)
  SELECT n.id, n.safeguarding FROM after_rows n JOIN before_rows o ON o.id = n.id
  WHERE n.safeguarding <> o.safeguarding ORDER BY n.id;
  INSERT INTO events (type, unit_id, data)
  SELECT 'feedback.safeguarding', n.unit_id, feedback_safeguarding_event_data(n)
  FROM after_rows n JOIN before_rows o ON o.id = n.id
  WHERE n.safeguarding <> o.safeguarding ORDER BY n.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_items_safeguarding_updated AFTER UPDATE ON feedback_items
  REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feedback_items_safeguarding_updated();
--> statement-breakpoint
CREATE FUNCTION feedback_safeguarding_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'Safeguarding history is append-only: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_safeguarding_history_append_only BEFORE UPDATE OR DELETE ON feedback_safeguarding_history
  FOR EACH ROW EXECUTE FUNCTION feedback_safeguarding_history_append_only();
