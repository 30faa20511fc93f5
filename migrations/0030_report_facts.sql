-- What the reports read of each item, one narrow row per item: the columns they group and filter
-- on, copied from feedback_items, and the item's current status spell. A report over a whole trust
-- scans this (about 200 MB at a million items) instead of the wide feedback_items (550 MB) joined
-- with a million current spells; "status at a past T" corrects only the items whose current spell
-- began after T, from the spells that ended after T. Kept in step by triggers in the same
-- transaction as the writes it follows; erasure changes none of these columns, and items are never
-- deleted, so the facts outlive erasure as the spells do.
CREATE TABLE "feedback_facts" (
	"feedback_id" uuid PRIMARY KEY NOT NULL,
	"unit_id" uuid NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"kind" text,
	"channel" text,
	"submitter_role" text NOT NULL,
	"themes" text[] NOT NULL,
	"acknowledge_by" timestamp (3) with time zone,
	"acknowledged_at" timestamp (3) with time zone,
	"status" text DEFAULT 'received' NOT NULL,
	"status_from" timestamp (6) with time zone,
	"action_id" uuid,
	"status_span_us" bigint GENERATED ALWAYS AS ((extract(epoch from status_from - received_at) * 1000000)::int8) STORED,
	"acknowledge_span_us" bigint GENERATED ALWAYS AS ((extract(epoch from acknowledged_at - received_at) * 1000000)::int8) STORED
);
--> statement-breakpoint
-- The facts of the given items as feedback_items and their current spells define them; the
-- backfill below, the bench's seed and the test of the triggers use it.
CREATE FUNCTION feedback_facts_of(items uuid[])
RETURNS TABLE (feedback_id uuid, unit_id uuid, received_at timestamptz, due_at timestamptz, kind text,
  channel text, submitter_role text, themes text[], acknowledge_by timestamptz, acknowledged_at timestamptz,
  status text, status_from timestamptz, action_id uuid)
LANGUAGE sql STABLE AS $$
  SELECT f.id, f.unit_id, f.received_at, f.due_at, f.kind, f.channel, f.submitter_role, f.themes,
    f.acknowledge_by, f.acknowledged_at, coalesce(s.status, 'received'), s.from_at, s.action_id
  FROM feedback_items f
  LEFT JOIN feedback_status_spells s ON s.feedback_id = f.id AND s.to_at IS NULL
  WHERE f.id = ANY (items)
$$;
--> statement-breakpoint
INSERT INTO feedback_facts (feedback_id, unit_id, received_at, due_at, kind, channel, submitter_role, themes,
  acknowledge_by, acknowledged_at, status, status_from, action_id)
SELECT f.id, f.unit_id, f.received_at, f.due_at, f.kind, f.channel, f.submitter_role, f.themes,
  f.acknowledge_by, f.acknowledged_at, coalesce(s.status, 'received'), s.from_at, s.action_id
FROM feedback_items f
LEFT JOIN feedback_status_spells s ON s.feedback_id = f.id AND s.to_at IS NULL;
--> statement-breakpoint
-- After the backfill, so it is checked once as a whole rather than row by row.
ALTER TABLE "feedback_facts" ADD CONSTRAINT "feedback_facts_feedback_id_feedback_items_id_fk" FOREIGN KEY ("feedback_id") REFERENCES "public"."feedback_items"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- New items, a whole batch in one statement: no spell yet, so `received`.
CREATE FUNCTION feedback_items_facts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO feedback_facts (feedback_id, unit_id, received_at, due_at, kind, channel, submitter_role, themes,
    acknowledge_by, acknowledged_at)
  SELECT i.id, i.unit_id, i.received_at, i.due_at, i.kind, i.channel, i.submitter_role, i.themes,
    i.acknowledge_by, i.acknowledged_at
  FROM inserted i;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_items_facts_insert AFTER INSERT ON feedback_items
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION feedback_items_facts_insert();
--> statement-breakpoint
-- An edit of a column the reports read (most updates touch none: the WHEN clause skips them
-- without calling the function).
CREATE FUNCTION feedback_items_facts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE feedback_facts SET unit_id = NEW.unit_id, received_at = NEW.received_at, due_at = NEW.due_at,
    kind = NEW.kind, channel = NEW.channel, submitter_role = NEW.submitter_role, themes = NEW.themes,
    acknowledge_by = NEW.acknowledge_by, acknowledged_at = NEW.acknowledged_at
  WHERE feedback_id = NEW.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_items_facts_update AFTER UPDATE ON feedback_items
  FOR EACH ROW WHEN (
    (OLD.unit_id, OLD.received_at, OLD.due_at, OLD.kind, OLD.channel, OLD.submitter_role, OLD.themes,
      OLD.acknowledge_by, OLD.acknowledged_at)
    IS DISTINCT FROM
    (NEW.unit_id, NEW.received_at, NEW.due_at, NEW.kind, NEW.channel, NEW.submitter_role, NEW.themes,
      NEW.acknowledge_by, NEW.acknowledged_at)
  )
  EXECUTE FUNCTION feedback_items_facts_update();
--> statement-breakpoint
-- The spells' rebuild (migration 0026) now also sets each touched item's current spell on its facts.
CREATE OR REPLACE FUNCTION feedback_transitions_spells() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched uuid[] := ARRAY(SELECT DISTINCT feedback_id FROM inserted);
BEGIN
  DELETE FROM feedback_status_spells s WHERE s.feedback_id = ANY (touched);
  INSERT INTO feedback_status_spells (feedback_id, from_at, to_at, status, action_id)
  SELECT * FROM feedback_status_spells_of(touched);
  UPDATE feedback_facts f SET status = s.status, status_from = s.from_at, action_id = s.action_id
  FROM feedback_status_spells s
  WHERE s.feedback_id = ANY (touched) AND s.to_at IS NULL AND f.feedback_id = s.feedback_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Only those triggers write the facts: a statement from anywhere else (the service, a console) is
-- refused, so the copy cannot drift from what it copies. Inside a trigger the depth is 2 or more.
CREATE FUNCTION feedback_facts_written_by_triggers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'feedback_facts is kept by triggers on feedback_items and feedback_transitions; % it directly is refused', TG_OP
      USING ERRCODE = 'check_violation', CONSTRAINT = 'feedback_facts_written_by_triggers';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_facts_written_by_triggers BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON feedback_facts
  FOR EACH STATEMENT EXECUTE FUNCTION feedback_facts_written_by_triggers();
--> statement-breakpoint
-- array_agg, which the reports used to collect each group's spans for its percentiles, has no
-- combine function before PostgreSQL 16, so no report could run in parallel. This collects the same
-- values (in another order: the reports sort them) and can: workers collect, the leader concatenates.
CREATE AGGREGATE report_spans(int8) (SFUNC = array_append, STYPE = int8[], COMBINEFUNC = array_cat, PARALLEL = SAFE);
