-- Drops events.subject_id, which nothing read (an event's subject is data.id, or data.unitId for
-- board.updated); the outbox triggers are redefined without it first.
CREATE OR REPLACE FUNCTION feedback_items_received_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, unit_id, data)
  SELECT 'feedback.received', n.unit_id, feedback_event_data(n, NULL)
  FROM inserted n ORDER BY n.received_at, n.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION feedback_items_change_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, unit_id, data)
  SELECT CASE
      WHEN n.status IN ('actioned', 'not_actioned') AND o.status NOT IN ('actioned', 'not_actioned') THEN 'feedback.closed'
      WHEN o.status IN ('actioned', 'not_actioned') AND n.status NOT IN ('actioned', 'not_actioned') THEN 'feedback.reopened'
      ELSE 'feedback.updated'
    END,
    n.unit_id,
    feedback_event_data(n, CASE WHEN n.status <> o.status THEN o.status END)
  FROM after_rows n JOIN before_rows o ON o.id = n.id
  -- Every change the service makes bumps the version; other column writes are not news.
  WHERE n.version <> o.version
  ORDER BY n.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION actions_created_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- An action recorded as already done is created and completed: both are news.
  INSERT INTO events (type, unit_id, data)
  SELECT e.type, n.unit_id, action_event_data(n)
  FROM inserted n
  CROSS JOIN LATERAL (VALUES (1, 'action.created'), (2, CASE n.status
    WHEN 'completed' THEN 'action.completed' WHEN 'cancelled' THEN 'action.cancelled' END)) AS e(step, type)
  WHERE e.type IS NOT NULL
  ORDER BY n.id, e.step;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION actions_change_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, unit_id, data)
  SELECT CASE
      WHEN n.status = 'completed' AND o.status <> 'completed' THEN 'action.completed'
      WHEN n.status = 'cancelled' AND o.status <> 'cancelled' THEN 'action.cancelled'
      ELSE 'action.updated'
    END,
    n.unit_id, action_event_data(n)
  FROM after_rows n JOIN before_rows o ON o.id = n.id
  WHERE n.version <> o.version
  ORDER BY n.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- board.updated for each bumped unit and every ancestor, once (as in 0010).
CREATE OR REPLACE FUNCTION units_board_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, unit_id, data)
  SELECT 'board.updated', touched.unit_id, jsonb_build_object('unitId', touched.unit_id)
  FROM (
    SELECT DISTINCT a.unit_id, a.depth
    FROM after_rows n
    JOIN before_rows o ON o.id = n.id
    CROSS JOIN LATERAL unnest(n.path) WITH ORDINALITY AS a(unit_id, depth)
    WHERE n.board_version <> o.board_version
  ) touched
  ORDER BY touched.depth, touched.unit_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "subject_id";
