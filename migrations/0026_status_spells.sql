-- Each feedback item's status history as spells: the status it held from `from_at` until `to_at`
-- (null: still holds), one row per transition that was not overtaken at the same instant. "Status at
-- T" is then the one spell with from_at <= T < to_at, found by a range scan instead of a probe of the
-- history per item (the reports read a million items at once). Kept in step with feedback_transitions
-- by its insert trigger, in the same transaction; items are never deleted and never change unit, and
-- erasure keeps the history, so the spells outlive erasure as the transitions do.
CREATE TABLE "feedback_status_spells" (
	"feedback_id" uuid NOT NULL,
	"from_at" timestamp (6) with time zone NOT NULL,
	"to_at" timestamp (6) with time zone,
	"status" text NOT NULL,
	"action_id" uuid,
	CONSTRAINT "feedback_status_spells_feedback_id_from_at_pk" PRIMARY KEY("feedback_id","from_at"),
	CONSTRAINT "feedback_status_spells_order_check" CHECK ("feedback_status_spells"."to_at" is null or "feedback_status_spells"."to_at" > "feedback_status_spells"."from_at")
);
--> statement-breakpoint
ALTER TABLE "feedback_status_spells" ADD CONSTRAINT "feedback_status_spells_feedback_id_feedback_items_id_fk" FOREIGN KEY ("feedback_id") REFERENCES "public"."feedback_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feedback_status_spells_current_idx" ON "feedback_status_spells" USING btree ("feedback_id","from_at","status","action_id") WHERE "feedback_status_spells"."to_at" is null;--> statement-breakpoint
CREATE INDEX "feedback_status_spells_ended_idx" ON "feedback_status_spells" USING btree ("to_at","from_at","feedback_id","status","action_id") WHERE "feedback_status_spells"."to_at" is not null;--> statement-breakpoint
-- The spells of the given items as their history defines them: transitions in the order the reports
-- read them (time, then insertion), each lasting until the next; one overtaken at the same instant
-- lasts no time and is left out. The items are filtered before the window, so the trigger reads only
-- the history of the items it touched (through feedback_transitions_item_idx).
CREATE FUNCTION feedback_status_spells_of(items uuid[])
RETURNS TABLE (feedback_id uuid, from_at timestamptz, to_at timestamptz, status text, action_id uuid)
LANGUAGE sql STABLE AS $$
  SELECT h.feedback_id, h.at, h.next_at, h.to_status, h.action_id
  FROM (
    SELECT t.feedback_id, t.at, t.to_status, t.action_id,
      lead(t.at) OVER (PARTITION BY t.feedback_id ORDER BY t.at, t.id) AS next_at
    FROM feedback_transitions t
    WHERE t.feedback_id = ANY (items)
  ) h
  WHERE h.next_at IS NULL OR h.next_at > h.at
$$;
--> statement-breakpoint
INSERT INTO feedback_status_spells (feedback_id, from_at, to_at, status, action_id)
SELECT * FROM feedback_status_spells_of(ARRAY(SELECT DISTINCT feedback_id FROM feedback_transitions));
--> statement-breakpoint
-- A transition may land before an existing one (its transaction began earlier), so the item's spells
-- are rebuilt from its whole history, a few rows, rather than patched at the end.
CREATE FUNCTION feedback_transitions_spells() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched uuid[] := ARRAY(SELECT DISTINCT feedback_id FROM inserted);
BEGIN
  DELETE FROM feedback_status_spells s WHERE s.feedback_id = ANY (touched);
  INSERT INTO feedback_status_spells (feedback_id, from_at, to_at, status, action_id)
  SELECT * FROM feedback_status_spells_of(touched);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_transitions_spells AFTER INSERT ON feedback_transitions
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION feedback_transitions_spells();
--> statement-breakpoint
-- An item holds one status at a time: no two of its spells may overlap (an exclusion constraint
-- would need btree_gist, which the embedded database does not load).
CREATE FUNCTION feedback_status_spells_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM feedback_status_spells s
    WHERE s.feedback_id = NEW.feedback_id AND s.from_at <> NEW.from_at
      AND s.from_at < coalesce(NEW.to_at, 'infinity') AND NEW.from_at < coalesce(s.to_at, 'infinity')
  ) THEN
    RAISE EXCEPTION 'feedback % would hold two statuses at once from %', NEW.feedback_id, NEW.from_at
      USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'feedback_status_spells_no_overlap';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER feedback_status_spells_no_overlap AFTER INSERT OR UPDATE ON feedback_status_spells
  DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION feedback_status_spells_no_overlap();
