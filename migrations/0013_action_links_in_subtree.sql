-- An action answers feedback about its own unit or the units below it. The service
-- checked this only when linking; a unit moved to another site afterwards left live actions
-- answering items outside their subtree, and completing them closed those items. The rule now
-- holds in the database: a link is made only within the action's subtree, and stays within it
-- while the action is live (planned or in progress). A completed or cancelled action's links are
-- its record and stay as they were. Links broken by a move before this migration are not touched
-- here: completing their action is refused by the service until they are unlinked.
CREATE FUNCTION action_links_outside_subtree(item_ids uuid[], live_only boolean)
RETURNS TABLE (action_id uuid, feedback_id uuid) LANGUAGE sql STABLE AS $$
  SELECT l.action_id, l.feedback_id
  FROM action_feedback l
  JOIN actions a ON a.id = l.action_id
  JOIN feedback_items f ON f.id = l.feedback_id
  JOIN units u ON u.id = f.unit_id
  WHERE l.feedback_id = ANY (item_ids)
    AND NOT (u.path @> ARRAY[a.unit_id])
    AND (NOT live_only OR a.status IN ('planned', 'in_progress'))
  ORDER BY l.action_id, l.feedback_id
$$;
--> statement-breakpoint
CREATE FUNCTION action_links_refuse(broken record) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'feedback % would be linked to action % from outside the action''s unit subtree',
    broken.feedback_id, broken.action_id
    USING ERRCODE = 'check_violation', CONSTRAINT = 'action_links_within_subtree';
END
$$;
--> statement-breakpoint
CREATE FUNCTION action_feedback_check_subtree() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  broken record;
BEGIN
  -- FOR SHARE on the item's unit: a concurrent move of that unit waits for this link to commit (and
  -- then sees it), or this check waits for the move and reads the unit's new path.
  PERFORM 1 FROM feedback_items f JOIN units u ON u.id = f.unit_id WHERE f.id = NEW.feedback_id FOR SHARE OF u;
  SELECT b.action_id, b.feedback_id INTO broken
  FROM action_links_outside_subtree(ARRAY[NEW.feedback_id], false) b WHERE b.action_id = NEW.action_id;
  IF FOUND THEN
    PERFORM action_links_refuse(broken);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER action_feedback_within_subtree AFTER INSERT OR UPDATE ON action_feedback
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION action_feedback_check_subtree();
--> statement-breakpoint
CREATE FUNCTION units_check_action_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  broken record;
BEGIN
  IF NEW.path IS NOT DISTINCT FROM OLD.path THEN
    RETURN NULL;
  END IF;
  SELECT b.action_id, b.feedback_id INTO broken
  FROM action_links_outside_subtree(ARRAY(SELECT f.id FROM feedback_items f WHERE f.unit_id = NEW.id), true) b
  LIMIT 1;
  IF FOUND THEN
    PERFORM action_links_refuse(broken);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER units_action_links_within_subtree AFTER UPDATE OF path ON units
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION units_check_action_links();
--> statement-breakpoint
CREATE FUNCTION feedback_items_check_action_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  broken record;
BEGIN
  SELECT b.action_id, b.feedback_id INTO broken FROM action_links_outside_subtree(ARRAY[NEW.id], true) b LIMIT 1;
  IF FOUND THEN
    PERFORM action_links_refuse(broken);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER feedback_items_action_links_within_subtree AFTER UPDATE OF unit_id ON feedback_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION feedback_items_check_action_links();
--> statement-breakpoint
CREATE FUNCTION actions_check_links_subtree() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  broken record;
BEGIN
  SELECT b.action_id, b.feedback_id INTO broken
  FROM action_links_outside_subtree(ARRAY(SELECT l.feedback_id FROM action_feedback l WHERE l.action_id = NEW.id), true) b
  WHERE b.action_id = NEW.id LIMIT 1;
  IF FOUND THEN
    PERFORM action_links_refuse(broken);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER actions_links_within_subtree AFTER UPDATE OF unit_id ON actions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION actions_check_links_subtree();
