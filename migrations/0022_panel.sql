-- The lived-experience panel (issue 19): reviewers read de-identified feedback and make
-- recommendations for the ward; staff accept them (answering with actions) or decline them with a
-- public explanation. The role is a CHECK, not an enum type, so widening it is a plain constraint
-- swap that runs inside the migration's transaction on PostgreSQL and PGlite alike (ALTER TYPE …
-- ADD VALUE could not be used in the same transaction).
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_role_check";--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_role_check" CHECK (role in ('admin', 'staff', 'intake', 'auditor', 'display', 'reviewer'));--> statement-breakpoint
-- The person agreed that the panel may read the public summary of what they said. Publication
-- consent implies it; this is for the people who want the panel to learn from it but not the wall.
ALTER TABLE "feedback_items" ADD COLUMN "review_consent" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE TABLE "recommendations" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "unit_id" uuid NOT NULL REFERENCES "units"("id"),
  "title" text NOT NULL,
  "text" text NOT NULL,
  "themes" text[] DEFAULT '{}'::text[] NOT NULL,
  "status" text DEFAULT 'proposed' NOT NULL,
  "response" text,
  -- Who made it, for "my recommendations": the principal's keyId, an API key's id or, for a reviewer
  -- signed in by an invite link, the invite's. No foreign key, since it may be either; never shown publicly.
  "made_by" uuid,
  "created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  "responded_at" timestamp (3) with time zone,
  "done_at" timestamp (3) with time zone,
  "version" integer DEFAULT 1 NOT NULL,
  "updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "recommendations_status_check" CHECK (status in ('proposed', 'accepted', 'declined', 'done')),
  CONSTRAINT "recommendations_title_check" CHECK (btrim(title) <> ''),
  CONSTRAINT "recommendations_text_check" CHECK (btrim(text) <> ''),
  -- "We couldn't, because …" is owed to the panel and the ward: a decline always says why.
  CONSTRAINT "recommendations_declined_response_check" CHECK (status <> 'declined' OR coalesce(btrim(response), '') <> ''),
  CONSTRAINT "recommendations_responded_check" CHECK ((status = 'proposed') = (responded_at IS NULL)),
  CONSTRAINT "recommendations_done_at_check" CHECK ((status = 'done') = (done_at IS NOT NULL))
);--> statement-breakpoint
CREATE INDEX "recommendations_unit_idx" ON "recommendations" USING btree ("unit_id", "created_at" DESC, "id" DESC);--> statement-breakpoint
CREATE INDEX "recommendations_created_idx" ON "recommendations" USING btree ("created_at" DESC, "id" DESC);--> statement-breakpoint
CREATE INDEX "recommendations_made_by_idx" ON "recommendations" USING btree ("made_by", "created_at" DESC, "id" DESC);--> statement-breakpoint
CREATE TABLE "recommendation_feedback" (
  "recommendation_id" uuid NOT NULL REFERENCES "recommendations"("id"),
  "feedback_id" uuid NOT NULL REFERENCES "feedback_items"("id"),
  CONSTRAINT "recommendation_feedback_pk" PRIMARY KEY ("recommendation_id", "feedback_id")
);--> statement-breakpoint
CREATE TABLE "recommendation_actions" (
  "recommendation_id" uuid NOT NULL REFERENCES "recommendations"("id"),
  "action_id" uuid NOT NULL REFERENCES "actions"("id"),
  "linked_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "recommendation_actions_pk" PRIMARY KEY ("recommendation_id", "action_id")
);--> statement-breakpoint
CREATE INDEX "recommendation_actions_action_idx" ON "recommendation_actions" USING btree ("action_id");--> statement-breakpoint
-- Every status a recommendation has held, from when: the report rebuilds any past moment from it
-- (`asOf`). Written by the trigger below in the change's own transaction; append-only.
CREATE TABLE "recommendation_transitions" (
  "id" bigserial PRIMARY KEY NOT NULL,
  "recommendation_id" uuid NOT NULL REFERENCES "recommendations"("id"),
  "from_status" text,
  "to_status" text NOT NULL,
  "at" timestamp (6) with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE INDEX "recommendation_transitions_latest_idx" ON "recommendation_transitions" USING btree ("recommendation_id", "at" DESC, "id" DESC, "to_status");--> statement-breakpoint
CREATE FUNCTION recommendation_transitions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'Recommendation history is append-only: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER recommendation_transitions_append_only BEFORE UPDATE OR DELETE ON recommendation_transitions
  FOR EACH ROW EXECUTE FUNCTION recommendation_transitions_append_only();
--> statement-breakpoint
-- The status the linked actions call for: `done` when every one is completed, `accepted` otherwise;
-- null without links (a proposed or declined recommendation has none).
CREATE FUNCTION recommendation_linked_status(recommendation uuid) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN bool_and(a.status = 'completed') THEN 'done' ELSE 'accepted' END
  FROM recommendation_actions l JOIN actions a ON a.id = l.action_id
  WHERE l.recommendation_id = recommendation
  HAVING count(*) > 0
$$;
--> statement-breakpoint
-- Accepted and done follow the actions, whatever code changed them: done when the last linked action
-- completes, accepted again when a link is added or an action is no longer completed.
CREATE FUNCTION recommendations_follow_actions(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE recommendations r
  SET status = s.linked,
      done_at = CASE WHEN s.linked = 'done' THEN now() END,
      version = r.version + 1, updated_at = now()
  FROM (
    SELECT x.id, recommendation_linked_status(x.id) AS linked
    FROM recommendations x WHERE x.id = ANY (ids) AND x.status IN ('accepted', 'done')
    ORDER BY x.id FOR NO KEY UPDATE
  ) s
  WHERE r.id = s.id AND s.linked IS NOT NULL AND r.status <> s.linked;
END
$$;
--> statement-breakpoint
CREATE FUNCTION actions_move_recommendations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM recommendations_follow_actions(ARRAY(
    SELECT l.recommendation_id FROM recommendation_actions l WHERE l.action_id = NEW.id));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER actions_move_recommendations AFTER UPDATE OF status ON actions
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION actions_move_recommendations();
--> statement-breakpoint
CREATE FUNCTION recommendation_actions_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM recommendations_follow_actions(ARRAY[OLD.recommendation_id]);
  ELSE
    PERFORM recommendations_follow_actions(ARRAY[NEW.recommendation_id]);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER recommendation_actions_moved AFTER INSERT OR DELETE ON recommendation_actions
  FOR EACH ROW EXECUTE FUNCTION recommendation_actions_moved();
--> statement-breakpoint
-- The invariants, checked at commit so that a change may take several statements:
-- proposed and declined have no actions; accepted has at least one and not all completed; done has
-- at least one and only completed ones; linked actions and feedback belong to the unit's subtree.
CREATE FUNCTION recommendation_refuse(recommendation uuid, rule text, detail text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'recommendation %: %', recommendation, detail
    USING ERRCODE = 'check_violation', CONSTRAINT = rule;
END
$$;
--> statement-breakpoint
CREATE FUNCTION recommendation_check(recommendation uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r recommendations;
  linked text;
BEGIN
  SELECT * INTO r FROM recommendations WHERE id = recommendation;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  linked := recommendation_linked_status(r.id);
  IF r.status IN ('proposed', 'declined') AND linked IS NOT NULL THEN
    PERFORM recommendation_refuse(r.id, 'recommendations_actions_when_accepted', 'only an accepted or done recommendation has actions');
  ELSIF r.status IN ('accepted', 'done') AND linked IS NULL THEN
    PERFORM recommendation_refuse(r.id, 'recommendations_actions_when_accepted', 'an accepted or done recommendation has at least one action');
  ELSIF r.status IN ('accepted', 'done') AND r.status <> linked THEN
    PERFORM recommendation_refuse(r.id, 'recommendations_done_when_actions_completed',
      'a recommendation is done exactly when every linked action is completed');
  END IF;
  IF EXISTS (SELECT 1 FROM recommendation_actions l JOIN actions a ON a.id = l.action_id JOIN units u ON u.id = a.unit_id
             WHERE l.recommendation_id = r.id AND NOT (u.path @> ARRAY[r.unit_id])) THEN
    PERFORM recommendation_refuse(r.id, 'recommendation_links_within_subtree', 'a linked action is outside the unit subtree');
  END IF;
  IF EXISTS (SELECT 1 FROM recommendation_feedback l JOIN feedback_items f ON f.id = l.feedback_id JOIN units u ON u.id = f.unit_id
             WHERE l.recommendation_id = r.id AND NOT (u.path @> ARRAY[r.unit_id])) THEN
    PERFORM recommendation_refuse(r.id, 'recommendation_links_within_subtree', 'a linked feedback item is outside the unit subtree');
  END IF;
END
$$;
--> statement-breakpoint
CREATE FUNCTION recommendations_checked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM recommendation_check(OLD.recommendation_id);
  ELSIF TG_TABLE_NAME = 'recommendations' THEN
    PERFORM recommendation_check(NEW.id);
  ELSE
    PERFORM recommendation_check(NEW.recommendation_id);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER recommendations_invariants AFTER INSERT OR UPDATE ON recommendations
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION recommendations_checked();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER recommendation_actions_invariants AFTER INSERT OR UPDATE OR DELETE ON recommendation_actions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION recommendations_checked();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER recommendation_feedback_invariants AFTER INSERT OR UPDATE ON recommendation_feedback
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION recommendations_checked();
--> statement-breakpoint
ALTER TABLE "events" DROP CONSTRAINT "events_type_check";--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_type_check" CHECK (type in ('feedback.received', 'feedback.updated', 'feedback.closed', 'feedback.reopened', 'feedback.follow_up', 'feedback.safeguarding', 'action.created', 'action.updated', 'action.completed', 'action.cancelled', 'board.updated', 'recommendation.created', 'recommendation.accepted', 'recommendation.declined', 'recommendation.done'));--> statement-breakpoint
-- Ids, status and dates only: the title, the panel's text and the response are read through the API.
CREATE FUNCTION recommendation_event_data(r recommendations, previous_status text) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object(
    'id', r.id, 'unitId', r.unit_id, 'status', r.status, 'previousStatus', previous_status,
    'version', r.version, 'themes', to_jsonb(r.themes),
    'feedbackIds', to_jsonb(ARRAY(SELECT l.feedback_id FROM recommendation_feedback l WHERE l.recommendation_id = r.id ORDER BY l.feedback_id)),
    'actionIds', to_jsonb(ARRAY(SELECT l.action_id FROM recommendation_actions l WHERE l.recommendation_id = r.id ORDER BY l.linked_at, l.action_id)),
    'createdAt', wedid_iso(r.created_at), 'respondedAt', wedid_iso(r.responded_at), 'doneAt', wedid_iso(r.done_at)
  ))
$$;
--> statement-breakpoint
-- A created recommendation's feedback links are inserted after it, so its event is written by a
-- deferred trigger, at commit, with the links in place (the events' commit seal then follows it).
CREATE FUNCTION recommendations_created_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r recommendations;
BEGIN
  SELECT * INTO r FROM recommendations WHERE id = NEW.id;
  INSERT INTO events (type, unit_id, data) VALUES ('recommendation.created', r.unit_id, recommendation_event_data(r, NULL));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION recommendations_history_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO recommendation_transitions (recommendation_id, from_status, to_status) VALUES (NEW.id, NULL, NEW.status);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER recommendations_history_inserted AFTER INSERT ON recommendations
  FOR EACH ROW EXECUTE FUNCTION recommendations_history_inserted();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER recommendations_created_event AFTER INSERT ON recommendations
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION recommendations_created_event();
--> statement-breakpoint
-- A move from proposed straight to done (accepted with actions already completed) is two pieces of
-- news: accepted, then done. A change of actions that keeps it accepted is announced as accepted.
CREATE FUNCTION recommendations_change_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    INSERT INTO recommendation_transitions (recommendation_id, from_status, to_status) VALUES (NEW.id, OLD.status, NEW.status);
  END IF;
  IF NEW.version = OLD.version THEN
    RETURN NULL;
  END IF;
  INSERT INTO events (type, unit_id, data)
  SELECT e.type, NEW.unit_id, recommendation_event_data(NEW, CASE WHEN NEW.status <> OLD.status THEN OLD.status END)
  FROM (VALUES
    (1, CASE WHEN NEW.status = 'accepted' OR (NEW.status = 'done' AND OLD.status = 'proposed') THEN 'recommendation.accepted' END),
    (2, CASE WHEN NEW.status = 'declined' AND OLD.status <> 'declined' THEN 'recommendation.declined' END),
    (3, CASE WHEN NEW.status = 'done' AND OLD.status <> 'done' THEN 'recommendation.done' END)
  ) AS e(step, type)
  WHERE e.type IS NOT NULL
  ORDER BY e.step;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER recommendations_change_events AFTER UPDATE ON recommendations
  FOR EACH ROW EXECUTE FUNCTION recommendations_change_events();
