-- Two fixes to the status invariants of 0001.
-- 1. Concurrency: the check now locks the item row first. Two transactions that each remove one of
--    an item's two closing links (or decisions) used to pass, each seeing the other's row still
--    there (write skew); now the second waits for the first and then sees its commit.
-- 2. Moving a link or a decision to another item (UPDATE of feedback_id) checked only the new
--    item; the item that lost it is now checked too.
CREATE OR REPLACE FUNCTION feedback_check_invariants(item_id uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  item record;
  current_decisions integer;
BEGIN
  -- NO KEY UPDATE: serialises checks of one item without blocking foreign-key checks on it.
  SELECT f.status, f.closed_at INTO item FROM feedback_items f WHERE f.id = item_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT count(*) INTO current_decisions FROM decisions d WHERE d.feedback_id = item_id AND d.superseded_at IS NULL;
  IF item.status = 'actioned' AND NOT EXISTS (
    SELECT 1 FROM action_feedback l JOIN actions a ON a.id = l.action_id
    WHERE l.feedback_id = item_id AND a.status = 'completed'
  ) THEN
    RAISE EXCEPTION 'feedback % is actioned but has no completed action', item_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'feedback_actioned_has_completed_action';
  END IF;
  IF item.status = 'planned' AND NOT EXISTS (
    SELECT 1 FROM action_feedback l JOIN actions a ON a.id = l.action_id
    WHERE l.feedback_id = item_id AND a.status IN ('planned', 'in_progress')
  ) THEN
    RAISE EXCEPTION 'feedback % is planned but has no planned or in-progress action', item_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'feedback_planned_has_live_action';
  END IF;
  IF (item.status = 'not_actioned') <> (current_decisions = 1) THEN
    RAISE EXCEPTION 'feedback % must have exactly one current decision exactly when not actioned', item_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'feedback_not_actioned_has_decision';
  END IF;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION feedback_link_check_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM feedback_check_invariants(OLD.feedback_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.feedback_id IS DISTINCT FROM OLD.feedback_id) THEN
    PERFORM feedback_check_invariants(NEW.feedback_id);
  END IF;
  RETURN NULL;
END
$$;
