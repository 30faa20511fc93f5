-- A new item's first transition (its `received`) is the whole of its history: its one spell starts
-- there and holds, and its facts take that spell. Those are written straight from the inserted rows,
-- as one set, instead of deleting no spells, reading the item's history back through the window of
-- feedback_status_spells_of and joining the rebuilt spells to the facts. Items with history already
-- (or more than one transition in the statement) are rebuilt as before.
CREATE OR REPLACE FUNCTION feedback_transitions_spells() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  firsts uuid[];
  touched uuid[];
BEGIN
  SELECT coalesce(array_agg(t.feedback_id) FILTER (WHERE t.first), '{}'),
    coalesce(array_agg(t.feedback_id) FILTER (WHERE NOT t.first), '{}')
  INTO firsts, touched
  FROM (
    SELECT i.feedback_id,
      count(*) = 1 AND NOT EXISTS (SELECT 1 FROM feedback_status_spells s WHERE s.feedback_id = i.feedback_id) AS first
    FROM inserted i GROUP BY i.feedback_id
  ) t;
  IF cardinality(firsts) > 0 THEN
    INSERT INTO feedback_status_spells (feedback_id, from_at, to_at, status, action_id)
    SELECT i.feedback_id, i.at, NULL, i.to_status, i.action_id FROM inserted i WHERE i.feedback_id = ANY (firsts);
    UPDATE feedback_facts f SET status = i.to_status, status_from = i.at, action_id = i.action_id
    FROM inserted i
    WHERE i.feedback_id = ANY (firsts) AND f.feedback_id = i.feedback_id;
  END IF;
  IF cardinality(touched) > 0 THEN
    DELETE FROM feedback_status_spells s WHERE s.feedback_id = ANY (touched);
    INSERT INTO feedback_status_spells (feedback_id, from_at, to_at, status, action_id)
    SELECT * FROM feedback_status_spells_of(touched);
    UPDATE feedback_facts f SET status = s.status, status_from = s.from_at, action_id = s.action_id
    FROM feedback_status_spells s
    WHERE s.feedback_id = ANY (touched) AND s.to_at IS NULL AND f.feedback_id = s.feedback_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A new item that is `received` meets the status rules whatever else holds: it has no action links
-- and no decision yet, and any written later in the transaction queue their own check of the item.
-- So its insert queues no check to run at commit (one plpgsql call and three queries per item);
-- every update still does, and so does the insert of an item in any other status.
DROP TRIGGER feedback_items_invariants ON feedback_items;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER feedback_items_invariants AFTER UPDATE ON feedback_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION feedback_items_check_row();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER feedback_items_invariants_inserted AFTER INSERT ON feedback_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.status <> 'received')
  EXECUTE FUNCTION feedback_items_check_row();
--> statement-breakpoint
-- The check that an item says something can only fail for a row written without text, FFT rating
-- or erasure (an attachment may still come before commit): only such a row queues it. Any later
-- write that takes the text away is such a row, and queues it then.
DROP TRIGGER feedback_items_says_something ON feedback_items;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER feedback_items_says_something AFTER INSERT OR UPDATE ON feedback_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (NEW.text IS NULL AND NEW.fft_rating IS NULL AND NEW.erased_at IS NULL)
  EXECUTE FUNCTION feedback_items_says_something();
--> statement-breakpoint
-- wedid_iso calls to_char(), which is only STABLE, so declared IMMUTABLE it was never inlined: each
-- timestamp of each change-feed event was a separate SQL-function call (three per received item).
-- Declared STABLE it inlines; the text it makes is the same.
ALTER FUNCTION wedid_iso(timestamptz) STABLE;
