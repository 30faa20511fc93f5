-- The transactional outbox: every change a client cares about writes its event in the same
-- transaction, whatever code made the change. Statement-level triggers with transition tables keep
-- set-based writes (batch intake) set-based. Payloads are ids and public-safe fields only: never
-- text, youSaid, contact, equality answers or free-text reasons.
CREATE FUNCTION wedid_iso(at timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
--> statement-breakpoint
CREATE FUNCTION feedback_event_data(f feedback_items, previous_status text) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object(
    'id', f.id, 'unitId', f.unit_id, 'status', f.status, 'previousStatus', previous_status,
    'version', f.version, 'kind', f.kind, 'channel', f.channel, 'themes', to_jsonb(f.themes),
    'publishConsent', f.publish_consent, 'receivedAt', wedid_iso(f.received_at),
    'dueAt', wedid_iso(f.due_at), 'closedAt', wedid_iso(f.closed_at),
    'externalRef', CASE WHEN f.external_system IS NOT NULL
      THEN jsonb_build_object('system', f.external_system, 'id', f.external_id) END,
    'erased', f.erased_at IS NOT NULL
  ))
$$;
--> statement-breakpoint
CREATE FUNCTION action_event_data(a actions) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object(
    'id', a.id, 'unitId', a.unit_id, 'status', a.status, 'version', a.version,
    'plannedFor', a.planned_for, 'coproductionLevel', a.coproduction_level,
    'completedAt', wedid_iso(a.completed_at), 'cancelledAt', wedid_iso(a.cancelled_at)
  ))
$$;
--> statement-breakpoint
-- Pollers long-wait on this channel; NOTIFY is delivered at commit and folds duplicates.
CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('wedid_events', '');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION events_notify();
--> statement-breakpoint
CREATE FUNCTION events_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: UPDATE refused' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER events_append_only BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_refuse_update();
--> statement-breakpoint
CREATE FUNCTION feedback_items_received_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, unit_id, subject_id, data)
  SELECT 'feedback.received', n.unit_id, n.id, feedback_event_data(n, NULL)
  FROM inserted n ORDER BY n.received_at, n.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_items_received_events AFTER INSERT ON feedback_items
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION feedback_items_received_events();
--> statement-breakpoint
CREATE FUNCTION feedback_items_change_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, unit_id, subject_id, data)
  SELECT CASE
      WHEN n.status IN ('actioned', 'not_actioned') AND o.status NOT IN ('actioned', 'not_actioned') THEN 'feedback.closed'
      WHEN o.status IN ('actioned', 'not_actioned') AND n.status NOT IN ('actioned', 'not_actioned') THEN 'feedback.reopened'
      ELSE 'feedback.updated'
    END,
    n.unit_id, n.id,
    feedback_event_data(n, CASE WHEN n.status <> o.status THEN o.status END)
  FROM after_rows n JOIN before_rows o ON o.id = n.id
  -- Every change the service makes bumps the version; other column writes are not news.
  WHERE n.version <> o.version
  ORDER BY n.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_items_change_events AFTER UPDATE ON feedback_items
  REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_items_change_events();
--> statement-breakpoint
CREATE FUNCTION actions_created_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- An action recorded as already done is created and completed: both are news.
  INSERT INTO events (type, unit_id, subject_id, data)
  SELECT e.type, n.unit_id, n.id, action_event_data(n)
  FROM inserted n
  CROSS JOIN LATERAL (VALUES (1, 'action.created'), (2, CASE n.status
    WHEN 'completed' THEN 'action.completed' WHEN 'cancelled' THEN 'action.cancelled' END)) AS e(step, type)
  WHERE e.type IS NOT NULL
  ORDER BY n.id, e.step;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER actions_created_events AFTER INSERT ON actions
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION actions_created_events();
--> statement-breakpoint
CREATE FUNCTION actions_change_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, unit_id, subject_id, data)
  SELECT CASE
      WHEN n.status = 'completed' AND o.status <> 'completed' THEN 'action.completed'
      WHEN n.status = 'cancelled' AND o.status <> 'cancelled' THEN 'action.cancelled'
      ELSE 'action.updated'
    END,
    n.unit_id, n.id, action_event_data(n)
  FROM after_rows n JOIN before_rows o ON o.id = n.id
  WHERE n.version <> o.version
  ORDER BY n.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER actions_change_events AFTER UPDATE ON actions
  REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION actions_change_events();
--> statement-breakpoint
CREATE FUNCTION units_board_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, unit_id, subject_id, data)
  SELECT 'board.updated', n.id, n.id, jsonb_build_object('unitId', n.id, 'boardVersion', n.board_version)
  FROM after_rows n JOIN before_rows o ON o.id = n.id
  WHERE n.board_version <> o.board_version
  ORDER BY n.path;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER units_board_events AFTER UPDATE ON units
  REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION units_board_events();
