-- Rules that must hold whatever code writes to the database: the audit trail's hash chain, and a
-- feedback item's status agreeing with its linked actions and decisions.
-- Each statement stands alone between breakpoints: PGlite runs one statement per call.

-- The audit trail: one hash chain, gapless sequence, append-only.
CREATE FUNCTION audit_event_hash(
  prev_hash text, seq bigint, occurred_at timestamptz, actor_key_id uuid, actor_name text,
  entity_type text, entity_id text, action text, details jsonb
) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws('|',
    prev_hash, seq::text,
    to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    coalesce(actor_key_id::text, ''), actor_name, entity_type, entity_id, action, details::text
  ), 'UTF8')), 'hex')
$$;
--> statement-breakpoint
CREATE FUNCTION audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_event record;
BEGIN
  -- One writer at a time extends the chain; held to commit, so services append audit events last.
  PERFORM pg_advisory_xact_lock(hashtext('wedid.audit_events'));
  SELECT e.seq, e.hash INTO last_event FROM audit_events e ORDER BY e.seq DESC LIMIT 1;
  NEW.seq := coalesce(last_event.seq, 0) + 1;
  NEW.prev_hash := coalesce(last_event.hash, repeat('0', 64));
  NEW.hash := audit_event_hash(NEW.prev_hash, NEW.seq, NEW.occurred_at, NEW.actor_key_id, NEW.actor_name,
    NEW.entity_type, NEW.entity_id, NEW.action, NEW.details);
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_chain();
--> statement-breakpoint
CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint

-- The status invariants of a feedback item, checked at commit so one transaction may pass through
-- intermediate states (link, then close) as long as it ends consistent.
CREATE FUNCTION feedback_check_invariants(item_id uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  item record;
  current_decisions integer;
BEGIN
  SELECT f.status, f.closed_at INTO item FROM feedback_items f WHERE f.id = item_id;
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
CREATE FUNCTION feedback_items_check_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feedback_check_invariants(NEW.id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER feedback_items_invariants AFTER INSERT OR UPDATE ON feedback_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION feedback_items_check_row();
--> statement-breakpoint
CREATE FUNCTION feedback_link_check_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM feedback_check_invariants(OLD.feedback_id);
  ELSE
    PERFORM feedback_check_invariants(NEW.feedback_id);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER action_feedback_invariants AFTER INSERT OR UPDATE OR DELETE ON action_feedback
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION feedback_link_check_row();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER decisions_invariants AFTER INSERT OR UPDATE OR DELETE ON decisions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION feedback_link_check_row();
--> statement-breakpoint
CREATE FUNCTION actions_check_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  linked uuid;
BEGIN
  FOR linked IN SELECT l.feedback_id FROM action_feedback l WHERE l.action_id = NEW.id LOOP
    PERFORM feedback_check_invariants(linked);
  END LOOP;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER actions_invariants AFTER UPDATE OF status ON actions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION actions_check_row();
