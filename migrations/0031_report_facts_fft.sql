-- The FFT report reads each item's rating from its facts row too: the rating and collection mode it
-- holds now and since when (the newest feedback_fft_history row's `at`). "Rating at a past T"
-- corrects only the items rated or re-rated after T, found by feedback_facts_fft_at_idx, from the
-- history; the report no longer reads the whole history, newest row per item, on every run.
ALTER TABLE "feedback_facts" ADD COLUMN "fft_rating" text;
--> statement-breakpoint
ALTER TABLE "feedback_facts" ADD COLUMN "collection_mode" text;
--> statement-breakpoint
ALTER TABLE "feedback_facts" ADD COLUMN "fft_at" timestamp (6) with time zone;
--> statement-breakpoint
CREATE INDEX "feedback_facts_fft_at_idx" ON "feedback_facts" USING btree ("fft_at") WHERE fft_at is not null;
--> statement-breakpoint
DROP FUNCTION feedback_facts_of(uuid[]);
--> statement-breakpoint
-- As in migration 0030, with the rating, collection mode and `at` of the newest history row.
CREATE FUNCTION feedback_facts_of(items uuid[])
RETURNS TABLE (feedback_id uuid, unit_id uuid, received_at timestamptz, due_at timestamptz, kind text,
  channel text, submitter_role text, themes text[], acknowledge_by timestamptz, acknowledged_at timestamptz,
  status text, status_from timestamptz, action_id uuid, fft_rating text, collection_mode text, fft_at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT f.id, f.unit_id, f.received_at, f.due_at, f.kind, f.channel, f.submitter_role, f.themes,
    f.acknowledge_by, f.acknowledged_at, coalesce(s.status, 'received'), s.from_at, s.action_id,
    h.fft_rating, h.collection_mode, h.at
  FROM feedback_items f
  LEFT JOIN feedback_status_spells s ON s.feedback_id = f.id AND s.to_at IS NULL
  LEFT JOIN LATERAL (
    SELECT h.fft_rating, h.collection_mode, h.at FROM feedback_fft_history h
    WHERE h.feedback_id = f.id ORDER BY h.at DESC, h.id DESC LIMIT 1
  ) h ON true
  WHERE f.id = ANY (items)
$$;
--> statement-breakpoint
ALTER TABLE "feedback_facts" DISABLE TRIGGER "feedback_facts_written_by_triggers";
--> statement-breakpoint
UPDATE feedback_facts f SET fft_rating = h.fft_rating, collection_mode = h.collection_mode, fft_at = h.at
FROM (
  SELECT DISTINCT ON (h.feedback_id) h.feedback_id, h.fft_rating, h.collection_mode, h.at
  FROM feedback_fft_history h
  ORDER BY h.feedback_id, h.at DESC, h.id DESC
) h
WHERE h.feedback_id = f.feedback_id;
--> statement-breakpoint
ALTER TABLE "feedback_facts" ENABLE TRIGGER "feedback_facts_written_by_triggers";
--> statement-breakpoint
-- New items: a rating or collection mode given at intake is the history's first row, written by
-- migration 0016's trigger at now(), the transaction's time, which is the `at` copied here.
CREATE OR REPLACE FUNCTION feedback_items_facts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO feedback_facts (feedback_id, unit_id, received_at, due_at, kind, channel, submitter_role, themes,
    acknowledge_by, acknowledged_at, fft_rating, collection_mode, fft_at)
  SELECT i.id, i.unit_id, i.received_at, i.due_at, i.kind, i.channel, i.submitter_role, i.themes,
    i.acknowledge_by, i.acknowledged_at, i.fft_rating, i.collection_mode,
    CASE WHEN i.fft_rating IS NOT NULL OR i.collection_mode IS NOT NULL THEN now() END
  FROM inserted i;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- An edit of a column the reports read; a changed rating or collection mode is a new history row
-- at now() (migration 0016), so its `at` is now() too.
CREATE OR REPLACE FUNCTION feedback_items_facts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE feedback_facts SET unit_id = NEW.unit_id, received_at = NEW.received_at, due_at = NEW.due_at,
    kind = NEW.kind, channel = NEW.channel, submitter_role = NEW.submitter_role, themes = NEW.themes,
    acknowledge_by = NEW.acknowledge_by, acknowledged_at = NEW.acknowledged_at,
    fft_rating = NEW.fft_rating, collection_mode = NEW.collection_mode,
    fft_at = CASE WHEN (OLD.fft_rating, OLD.collection_mode) IS DISTINCT FROM (NEW.fft_rating, NEW.collection_mode)
      THEN now() ELSE fft_at END
  WHERE feedback_id = NEW.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER feedback_items_facts_update ON feedback_items;
--> statement-breakpoint
CREATE TRIGGER feedback_items_facts_update AFTER UPDATE ON feedback_items
  FOR EACH ROW WHEN (
    (OLD.unit_id, OLD.received_at, OLD.due_at, OLD.kind, OLD.channel, OLD.submitter_role, OLD.themes,
      OLD.acknowledge_by, OLD.acknowledged_at, OLD.fft_rating, OLD.collection_mode)
    IS DISTINCT FROM
    (NEW.unit_id, NEW.received_at, NEW.due_at, NEW.kind, NEW.channel, NEW.submitter_role, NEW.themes,
      NEW.acknowledge_by, NEW.acknowledged_at, NEW.fft_rating, NEW.collection_mode)
  )
  EXECUTE FUNCTION feedback_items_facts_update();
--> statement-breakpoint
-- The month the closure report groups by (UTC) and the one the FFT report groups by (London): without
-- these the planner took each month for almost as many groups as items, and sorted a million rows
-- to group them instead of hashing a dozen groups.
CREATE STATISTICS feedback_facts_utc_month_stats ON (date_trunc('month', received_at AT TIME ZONE 'UTC')) FROM feedback_facts;
--> statement-breakpoint
CREATE STATISTICS feedback_facts_london_month_stats ON (date_trunc('month', received_at AT TIME ZONE 'Europe/London')) FROM feedback_facts;
--> statement-breakpoint
ANALYZE feedback_facts;
