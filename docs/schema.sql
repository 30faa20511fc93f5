-- The WeDid database schema as the migrations in migrations/ leave it, dumped by pg_dump from a
-- freshly migrated PostgreSQL database. Do not edit: run `npm run schema` (npm run check fails when
-- this file and the migrations disagree).

--
-- PostgreSQL database dump
--

--
-- Name: actions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.actions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    unit_id uuid NOT NULL,
    title text NOT NULL,
    description text,
    status text DEFAULT 'planned'::text NOT NULL,
    planned_for date,
    owner text,
    coproduction_level text DEFAULT 'none'::text NOT NULL,
    lived_experience_count integer DEFAULT 0 NOT NULL,
    outcome text,
    completed_at timestamp(3) with time zone,
    cancelled_at timestamp(3) with time zone,
    cancel_reason text,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    updated_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT actions_cancelled_check CHECK (((status = 'cancelled'::text) = ((cancelled_at IS NOT NULL) AND (COALESCE(btrim(cancel_reason), ''::text) <> ''::text)))),
    CONSTRAINT actions_completed_check CHECK (((status = 'completed'::text) = ((completed_at IS NOT NULL) AND (COALESCE(btrim(outcome), ''::text) <> ''::text)))),
    CONSTRAINT actions_coproduction_check CHECK ((coproduction_level = ANY (ARRAY['none'::text, 'informing'::text, 'consulting'::text, 'involving'::text, 'co_producing'::text]))),
    CONSTRAINT actions_lived_experience_check CHECK ((lived_experience_count >= 0)),
    CONSTRAINT actions_status_check CHECK ((status = ANY (ARRAY['planned'::text, 'in_progress'::text, 'completed'::text, 'cancelled'::text]))),
    CONSTRAINT actions_title_check CHECK ((btrim(title) <> ''::text))
);

--
-- Name: action_event_data(public.actions); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.action_event_data(a public.actions) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object(
    'id', a.id, 'unitId', a.unit_id, 'status', a.status, 'version', a.version,
    'plannedFor', a.planned_for, 'coproductionLevel', a.coproduction_level,
    'completedAt', wedid_iso(a.completed_at), 'cancelledAt', wedid_iso(a.cancelled_at)
  ))
$$;

--
-- Name: action_feedback_check_subtree(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.action_feedback_check_subtree() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: action_links_outside_subtree(uuid[], boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.action_links_outside_subtree(item_ids uuid[], live_only boolean) RETURNS TABLE(action_id uuid, feedback_id uuid)
    LANGUAGE sql STABLE
    AS $$
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

--
-- Name: action_links_refuse(record); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.action_links_refuse(broken record) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION 'feedback % would be linked to action % from outside the action''s unit subtree',
    broken.feedback_id, broken.action_id
    USING ERRCODE = 'check_violation', CONSTRAINT = 'action_links_within_subtree';
END
$$;

--
-- Name: actions_change_events(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.actions_change_events() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: actions_check_links_subtree(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.actions_check_links_subtree() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: actions_check_row(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.actions_check_row() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  linked uuid;
BEGIN
  FOR linked IN SELECT l.feedback_id FROM action_feedback l WHERE l.action_id = NEW.id LOOP
    PERFORM feedback_check_invariants(linked);
  END LOOP;
  RETURN NULL;
END
$$;

--
-- Name: actions_created_events(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.actions_created_events() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: actions_move_recommendations(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.actions_move_recommendations() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM recommendations_follow_actions(ARRAY(
    SELECT l.recommendation_id FROM recommendation_actions l WHERE l.action_id = NEW.id));
  RETURN NULL;
END
$$;

--
-- Name: attachment_chunks_claimed_unchanged(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.attachment_chunks_claimed_unchanged() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM attachments WHERE id = OLD.attachment_id OR (TG_OP = 'UPDATE' AND id = NEW.attachment_id)) THEN
    RAISE EXCEPTION 'attachment % is stored: its bytes cannot change', OLD.attachment_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attachment_chunks_claimed_unchanged';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

--
-- Name: attachment_chunks_not_claimed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.attachment_chunks_not_claimed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM attachments WHERE id = NEW.attachment_id) THEN
    RAISE EXCEPTION 'attachment % is stored: no chunk may be added to it', NEW.attachment_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attachment_chunks_claimed_unchanged';
  END IF;
  RETURN NEW;
END
$$;

--
-- Name: attachments_claim_whole_file(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.attachments_claim_whole_file() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  chunk_count integer;
  last_seq integer;
  total bigint;
BEGIN
  SELECT count(*), max(seq), coalesce(sum(octet_length(bytes)), 0) INTO chunk_count, last_seq, total
    FROM attachment_chunks WHERE attachment_id = NEW.id;
  IF chunk_count = 0 OR last_seq <> chunk_count - 1 OR total <> NEW.byte_size THEN
    RAISE EXCEPTION 'attachment % claims % bytes; its staged chunks hold % in % chunk(s)', NEW.id, NEW.byte_size, total, chunk_count
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attachments_claim_whole_file';
  END IF;
  RETURN NULL;
END
$$;

--
-- Name: attachments_delete_chunks(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.attachments_delete_chunks() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  DELETE FROM attachment_chunks WHERE attachment_id = OLD.id;
  RETURN NULL;
END
$$;

--
-- Name: attachments_not_erased(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.attachments_not_erased() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM feedback_items WHERE id = NEW.feedback_id AND erased_at IS NOT NULL) THEN
    RAISE EXCEPTION 'feedback % is erased: no attachment may be added', NEW.feedback_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attachments_not_erased';
  END IF;
  RETURN NEW;
END
$$;

--
-- Name: audit_event_hash(text, bigint, timestamp with time zone, uuid, text, text, text, text, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_event_hash(prev_hash text, seq bigint, occurred_at timestamp with time zone, actor_key_id uuid, actor_name text, entity_type text, entity_id text, action text, details jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT encode(sha256(convert_to(concat_ws('|',
    prev_hash, seq::text,
    to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    coalesce(actor_key_id::text, ''), actor_name, entity_type, entity_id, action, details::text
  ), 'UTF8')), 'hex')
$$;

--
-- Name: audit_event_link(smallint, text, bigint, timestamp with time zone, uuid, text, text, text, text, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_event_link(chain_version smallint, prev_hash text, seq bigint, occurred_at timestamp with time zone, actor_key_id uuid, actor_name text, entity_type text, entity_id text, action text, details jsonb) RETURNS text
    LANGUAGE sql STABLE
    AS $$
  SELECT CASE chain_version
    WHEN 1 THEN audit_event_hash(prev_hash, seq, occurred_at, actor_key_id, actor_name, entity_type, entity_id,
      action, details)
    WHEN 2 THEN encode(sha256(audit_event_message(chain_version, prev_hash, seq, occurred_at, actor_key_id,
      actor_name, entity_type, entity_id, action, details)), 'hex')
    WHEN 3 THEN encode(audit_hmac(convert_to(nullif(current_setting('wedid.audit_hmac_key', true), ''), 'UTF8'),
      audit_event_message(chain_version, prev_hash, seq, occurred_at, actor_key_id, actor_name, entity_type,
        entity_id, action, details)), 'hex')
  END
$$;

--
-- Name: audit_event_message(smallint, text, bigint, timestamp with time zone, uuid, text, text, text, text, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_event_message(chain_version smallint, prev_hash text, seq bigint, occurred_at timestamp with time zone, actor_key_id uuid, actor_name text, entity_type text, entity_id text, action text, details jsonb) RETURNS bytea
    LANGUAGE sql STABLE
    AS $$
  SELECT audit_field(chain_version::text) || audit_field(prev_hash) || audit_field(seq::text)
    || audit_field(to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
    || audit_field(actor_key_id::text) || audit_field(actor_name) || audit_field(entity_type)
    || audit_field(entity_id) || audit_field(action) || audit_field(details::text)
$$;

--
-- Name: audit_events_chain(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_events_chain() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  last_event record;
BEGIN
  -- One writer at a time extends the chain; held to commit, so services append audit events last.
  PERFORM pg_advisory_xact_lock(hashtext('wedid.audit_events'));
  SELECT e.seq, e.hash INTO last_event FROM audit_events e ORDER BY e.seq DESC LIMIT 1;
  NEW.seq := coalesce(last_event.seq, 0) + 1;
  NEW.prev_hash := coalesce(last_event.hash, repeat('0', 64));
  NEW.chain_version := CASE WHEN coalesce(current_setting('wedid.audit_hmac_key', true), '') = '' THEN 2 ELSE 3 END;
  NEW.hash := audit_event_link(NEW.chain_version, NEW.prev_hash, NEW.seq, NEW.occurred_at, NEW.actor_key_id,
    NEW.actor_name, NEW.entity_type, NEW.entity_id, NEW.action, NEW.details);
  RETURN NEW;
END
$$;

--
-- Name: audit_events_refuse_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_events_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END
$$;

--
-- Name: audit_field(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_field(value text) RETURNS bytea
    LANGUAGE sql STABLE
    AS $$
  SELECT CASE WHEN value IS NULL THEN decode('ffffffff', 'hex')
    ELSE int4send(octet_length(convert_to(value, 'UTF8'))) || convert_to(value, 'UTF8') END
$$;

--
-- Name: audit_hmac(bytea, bytea); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_hmac(key bytea, message bytea) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    AS $$
  WITH k AS (
    SELECT CASE WHEN length(key) > 64 THEN sha256(key) ELSE key END AS k
  ), block AS (
    SELECT k || decode(repeat('00', 64 - length(k)), 'hex') AS k FROM k
  ), pads AS (
    SELECT decode(string_agg(lpad(to_hex(get_byte(b.k, i) # 54), 2, '0'), '' ORDER BY i), 'hex') AS inner_pad,
      decode(string_agg(lpad(to_hex(get_byte(b.k, i) # 92), 2, '0'), '' ORDER BY i), 'hex') AS outer_pad
    FROM block b, generate_series(0, 63) AS i
  )
  SELECT sha256(outer_pad || sha256(inner_pad || message)) FROM pads
$$;

--
-- Name: event_retention_refuse_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_retention_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.pruned_through_seq, NEW.pruned_through_position)
      >= (OLD.pruned_through_seq, OLD.pruned_through_position) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'event_retention only moves forward: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END
$$;

--
-- Name: events_check_pruned(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.events_check_pruned() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM deleted d
    LEFT JOIN event_commits c ON c.tx_id = d.tx_id
    CROSS JOIN event_retention r
    WHERE c.seq IS NULL OR (c.seq, d.position) > (r.pruned_through_seq, r.pruned_through_position)
  ) THEN
    RAISE EXCEPTION 'events are deleted only up to event_retention: DELETE refused' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NULL;
END
$$;

--
-- Name: events_notify(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.events_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM pg_notify('wedid_events', '');
  RETURN NULL;
END
$$;

--
-- Name: events_refuse_truncate(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.events_refuse_truncate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION 'events are deleted only up to event_retention: TRUNCATE refused' USING ERRCODE = 'integrity_constraint_violation';
END
$$;

--
-- Name: events_refuse_update(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.events_refuse_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: UPDATE refused' USING ERRCODE = 'integrity_constraint_violation';
END
$$;

--
-- Name: events_seal_commit(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.events_seal_commit() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM event_commits WHERE tx_id = pg_current_xact_id()) THEN
    PERFORM pg_advisory_xact_lock(hashtext('wedid.audit_events'));
    INSERT INTO event_commits (tx_id) VALUES (pg_current_xact_id());
  END IF;
  RETURN NULL;
END
$$;

--
-- Name: feedback_check_invariants(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_check_invariants(item_id uuid) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: feedback_items; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.feedback_items (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    reference text NOT NULL,
    unit_id uuid NOT NULL,
    text text,
    you_said text,
    publish_consent boolean DEFAULT false NOT NULL,
    kind text,
    channel text,
    submitter_role text DEFAULT 'not_stated'::text NOT NULL,
    format text DEFAULT 'written'::text NOT NULL,
    themes text[] DEFAULT '{}'::text[] NOT NULL,
    external_system text,
    external_id text,
    contact jsonb,
    received_at timestamp(3) with time zone NOT NULL,
    due_at timestamp(3) with time zone NOT NULL,
    closed_at timestamp(3) with time zone,
    status text DEFAULT 'received'::text NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    created_by_key_id uuid,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    updated_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    erased_at timestamp(3) with time zone,
    search tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, ((COALESCE(text, ''::text) || ' '::text) || COALESCE(you_said, ''::text)))) STORED,
    acknowledge_by timestamp(3) with time zone,
    acknowledged_at timestamp(3) with time zone,
    fft_rating text,
    collection_mode text,
    safeguarding text DEFAULT 'none'::text NOT NULL,
    safeguarding_matches text[] DEFAULT '{}'::text[] NOT NULL,
    safeguarding_reason text,
    review_consent boolean DEFAULT false NOT NULL,
    CONSTRAINT feedback_channel_check CHECK ((channel = ANY (ARRAY['survey'::text, 'community_meeting'::text, 'complaints_process'::text, 'pals'::text, 'conversation'::text, 'advocate'::text, 'carer_forum'::text, 'suggestion_box'::text, 'online'::text, 'fft'::text, 'kiosk'::text, 'other'::text]))),
    CONSTRAINT feedback_closed_at_check CHECK (((status = ANY (ARRAY['actioned'::text, 'not_actioned'::text])) = (closed_at IS NOT NULL))),
    CONSTRAINT feedback_collection_mode_check CHECK ((collection_mode = ANY (ARRAY['sms'::text, 'kiosk'::text, 'online'::text, 'paper'::text, 'telephone'::text, 'face_to_face'::text, 'other'::text]))),
    CONSTRAINT feedback_due_check CHECK ((due_at >= received_at)),
    CONSTRAINT feedback_external_ref_check CHECK (((external_system IS NULL) = (external_id IS NULL))),
    CONSTRAINT feedback_fft_rating_check CHECK ((fft_rating = ANY (ARRAY['very_good'::text, 'good'::text, 'neither_good_nor_poor'::text, 'poor'::text, 'very_poor'::text, 'dont_know'::text]))),
    CONSTRAINT feedback_format_check CHECK ((format = ANY (ARRAY['written'::text, 'verbal'::text, 'survey'::text, 'easy_read'::text, 'voice'::text, 'video'::text, 'observed'::text, 'other'::text]))),
    CONSTRAINT feedback_kind_check CHECK ((kind = ANY (ARRAY['compliment'::text, 'suggestion'::text, 'concern'::text, 'complaint'::text, 'question'::text]))),
    CONSTRAINT feedback_safeguarding_check CHECK ((safeguarding = ANY (ARRAY['none'::text, 'flagged'::text, 'reviewed'::text, 'cleared'::text]))),
    CONSTRAINT feedback_safeguarding_reason_check CHECK ((((safeguarding = 'none'::text) = (safeguarding_reason IS NULL)) AND ((safeguarding_reason IS NULL) OR (safeguarding_reason = ANY (ARRAY['phrases'::text, 'unscreened_file'::text, 'staff'::text]))))),
    CONSTRAINT feedback_status_check CHECK ((status = ANY (ARRAY['received'::text, 'in_review'::text, 'planned'::text, 'actioned'::text, 'not_actioned'::text]))),
    CONSTRAINT feedback_submitter_role_check CHECK ((submitter_role = ANY (ARRAY['patient'::text, 'carer'::text, 'family'::text, 'staff'::text, 'expert_by_experience'::text, 'advocate'::text, 'community_organisation'::text, 'not_stated'::text])))
);

--
-- Name: feedback_event_data(public.feedback_items, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_event_data(f public.feedback_items, previous_status text) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
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

--
-- Name: feedback_facts_of(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_facts_of(items uuid[]) RETURNS TABLE(feedback_id uuid, unit_id uuid, received_at timestamp with time zone, due_at timestamp with time zone, kind text, channel text, submitter_role text, themes text[], acknowledge_by timestamp with time zone, acknowledged_at timestamp with time zone, status text, status_from timestamp with time zone, action_id uuid, fft_rating text, collection_mode text, fft_at timestamp with time zone)
    LANGUAGE sql STABLE
    AS $$
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

--
-- Name: feedback_facts_written_by_triggers(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_facts_written_by_triggers() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'feedback_facts is kept by triggers on feedback_items and feedback_transitions; % it directly is refused', TG_OP
      USING ERRCODE = 'check_violation', CONSTRAINT = 'feedback_facts_written_by_triggers';
  END IF;
  RETURN NULL;
END
$$;

--
-- Name: feedback_fft_history_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_fft_history_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION 'FFT rating history is append-only: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END
$$;

--
-- Name: feedback_fft_history_inserted(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_fft_history_inserted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO feedback_fft_history (feedback_id, fft_rating, collection_mode)
  SELECT n.id, n.fft_rating, n.collection_mode FROM inserted n
  WHERE n.fft_rating IS NOT NULL OR n.collection_mode IS NOT NULL
  ORDER BY n.id;
  RETURN NULL;
END
$$;

--
-- Name: feedback_fft_history_updated(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_fft_history_updated() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO feedback_fft_history (feedback_id, fft_rating, collection_mode)
  SELECT n.id, n.fft_rating, n.collection_mode
  FROM after_rows n JOIN before_rows o ON o.id = n.id
  WHERE n.fft_rating IS DISTINCT FROM o.fft_rating OR n.collection_mode IS DISTINCT FROM o.collection_mode
  ORDER BY n.id;
  RETURN NULL;
END
$$;

--
-- Name: feedback_items_change_events(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_items_change_events() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: feedback_items_check_action_links(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_items_check_action_links() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: feedback_items_check_row(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_items_check_row() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM feedback_check_invariants(NEW.id);
  RETURN NULL;
END
$$;

--
-- Name: feedback_items_erase_attachments(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_items_erase_attachments() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  DELETE FROM attachments WHERE feedback_id = NEW.id;
  RETURN NULL;
END
$$;

--
-- Name: feedback_items_erase_replies(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_items_erase_replies() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  UPDATE replies SET status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
    last_error = NULL, lease_token = NULL, lease_until = NULL
  WHERE feedback_id = NEW.id;
  UPDATE follow_ups SET comment = NULL WHERE feedback_id = NEW.id;
  RETURN NULL;
END
$$;

--
-- Name: feedback_items_facts_insert(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_items_facts_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: feedback_items_facts_update(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_items_facts_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: feedback_items_received_events(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_items_received_events() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO events (type, unit_id, data)
  SELECT 'feedback.received', n.unit_id, feedback_event_data(n, NULL)
  FROM inserted n ORDER BY n.received_at, n.id;
  RETURN NULL;
END
$$;

--
-- Name: feedback_items_safeguarding_inserted(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_items_safeguarding_inserted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO feedback_safeguarding_history (feedback_id, safeguarding)
  SELECT n.id, n.safeguarding FROM inserted n WHERE n.safeguarding <> 'none' ORDER BY n.id;
  INSERT INTO events (type, unit_id, data)
  SELECT 'feedback.safeguarding', n.unit_id, feedback_safeguarding_event_data(n)
  FROM inserted n WHERE n.safeguarding <> 'none' ORDER BY n.received_at, n.id;
  RETURN NULL;
END
$$;

--
-- Name: feedback_items_safeguarding_updated(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_items_safeguarding_updated() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO feedback_safeguarding_history (feedback_id, safeguarding)
  SELECT n.id, n.safeguarding FROM after_rows n JOIN before_rows o ON o.id = n.id
  WHERE n.safeguarding <> o.safeguarding ORDER BY n.id;
  INSERT INTO events (type, unit_id, data)
  SELECT 'feedback.safeguarding', n.unit_id, feedback_safeguarding_event_data(n)
  FROM after_rows n JOIN before_rows o ON o.id = n.id
  WHERE n.safeguarding <> o.safeguarding ORDER BY n.id;
  RETURN NULL;
END
$$;

--
-- Name: feedback_items_says_something(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_items_says_something() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM feedback_items f
    WHERE f.id = NEW.id AND f.text IS NULL AND f.erased_at IS NULL AND f.fft_rating IS NULL
      AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.feedback_id = f.id)
  ) THEN
    RAISE EXCEPTION 'feedback % has no text, FFT rating or attachment', NEW.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'feedback_text_check';
  END IF;
  RETURN NULL;
END
$$;

--
-- Name: feedback_link_check_row(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_link_check_row() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: feedback_safeguarding_event_data(public.feedback_items); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_safeguarding_event_data(f public.feedback_items) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
  SELECT jsonb_build_object('id', f.id, 'unitId', f.unit_id, 'safeguarding', f.safeguarding)
$$;

--
-- Name: feedback_safeguarding_history_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_safeguarding_history_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION 'Safeguarding history is append-only: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END
$$;

--
-- Name: feedback_status_spells_no_overlap(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_status_spells_no_overlap() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: feedback_status_spells_of(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_status_spells_of(items uuid[]) RETURNS TABLE(feedback_id uuid, from_at timestamp with time zone, to_at timestamp with time zone, status text, action_id uuid)
    LANGUAGE sql STABLE
    AS $$
  SELECT h.feedback_id, h.at, h.next_at, h.to_status, h.action_id
  FROM (
    SELECT t.feedback_id, t.at, t.to_status, t.action_id,
      lead(t.at) OVER (PARTITION BY t.feedback_id ORDER BY t.at, t.id) AS next_at
    FROM feedback_transitions t
    WHERE t.feedback_id = ANY (items)
  ) h
  WHERE h.next_at IS NULL OR h.next_at > h.at
$$;

--
-- Name: feedback_transitions_acknowledge(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_transitions_acknowledge() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  UPDATE feedback_items f SET acknowledged_at = t.at
  FROM inserted t
  WHERE f.id = t.feedback_id AND t.from_status = 'received' AND f.acknowledged_at IS NULL;
  RETURN NULL;
END
$$;

--
-- Name: feedback_transitions_queue_replies(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_transitions_queue_replies() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO replies (feedback_id, transition_id, kind, channel, support_needed, easy_read, large_print)
  SELECT t.feedback_id, t.id,
    CASE WHEN t.from_status IS NULL THEN 'acknowledgement' ELSE 'answer' END,
    CASE WHEN reply_support_needed(f.contact) IS NOT NULL THEN 'in_person'
      ELSE coalesce(f.contact ->> 'replyBy', CASE WHEN f.contact ? 'email' THEN 'email' ELSE 'in_person' END)
    END,
    reply_support_needed(f.contact),
    coalesce(f.contact -> 'communicationNeeds' @> '["easy_read"]', false),
    coalesce(f.contact -> 'communicationNeeds' @> '["large_print"]', false)
  FROM inserted t
  JOIN feedback_items f ON f.id = t.feedback_id
  WHERE (t.from_status IS NULL OR t.to_status IN ('actioned', 'not_actioned'))
    AND f.erased_at IS NULL
    AND (f.contact ->> 'wantsReply')::boolean IS TRUE
  ORDER BY t.id;
  RETURN NULL;
END
$$;

--
-- Name: feedback_transitions_spells(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.feedback_transitions_spells() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: follow_ups_events(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.follow_ups_events() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO events (type, unit_id, data)
  SELECT 'feedback.follow_up', f.unit_id, jsonb_build_object(
    'id', f.id, 'unitId', f.unit_id, 'followUpId', n.id, 'answer', n.answer,
    'answeredAt', wedid_iso(n.answered_at))
  FROM inserted n JOIN feedback_items f ON f.id = n.feedback_id
  ORDER BY n.answered_at, n.id;
  RETURN NULL;
END
$$;

--
-- Name: people_end_sessions(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.people_end_sessions() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  DELETE FROM sessions WHERE subject_kind = 'person' AND subject_id = OLD.id;
  RETURN NULL;
END
$$;

--
-- Name: recommendation_actions_moved(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recommendation_actions_moved() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM recommendations_follow_actions(ARRAY[OLD.recommendation_id]);
  ELSE
    PERFORM recommendations_follow_actions(ARRAY[NEW.recommendation_id]);
  END IF;
  RETURN NULL;
END
$$;

--
-- Name: recommendation_check(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recommendation_check(recommendation uuid) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: recommendations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.recommendations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    unit_id uuid NOT NULL,
    title text NOT NULL,
    text text NOT NULL,
    themes text[] DEFAULT '{}'::text[] NOT NULL,
    status text DEFAULT 'proposed'::text NOT NULL,
    response text,
    made_by uuid,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    responded_at timestamp(3) with time zone,
    done_at timestamp(3) with time zone,
    version integer DEFAULT 1 NOT NULL,
    updated_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT recommendations_declined_response_check CHECK (((status <> 'declined'::text) OR (COALESCE(btrim(response), ''::text) <> ''::text))),
    CONSTRAINT recommendations_done_at_check CHECK (((status = 'done'::text) = (done_at IS NOT NULL))),
    CONSTRAINT recommendations_responded_check CHECK (((status = 'proposed'::text) = (responded_at IS NULL))),
    CONSTRAINT recommendations_status_check CHECK ((status = ANY (ARRAY['proposed'::text, 'accepted'::text, 'declined'::text, 'done'::text]))),
    CONSTRAINT recommendations_text_check CHECK ((btrim(text) <> ''::text)),
    CONSTRAINT recommendations_title_check CHECK ((btrim(title) <> ''::text))
);

--
-- Name: recommendation_event_data(public.recommendations, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recommendation_event_data(r public.recommendations, previous_status text) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object(
    'id', r.id, 'unitId', r.unit_id, 'status', r.status, 'previousStatus', previous_status,
    'version', r.version, 'themes', to_jsonb(r.themes),
    'feedbackIds', to_jsonb(ARRAY(SELECT l.feedback_id FROM recommendation_feedback l WHERE l.recommendation_id = r.id ORDER BY l.feedback_id)),
    'actionIds', to_jsonb(ARRAY(SELECT l.action_id FROM recommendation_actions l WHERE l.recommendation_id = r.id ORDER BY l.linked_at, l.action_id)),
    'createdAt', wedid_iso(r.created_at), 'respondedAt', wedid_iso(r.responded_at), 'doneAt', wedid_iso(r.done_at)
  ))
$$;

--
-- Name: recommendation_linked_status(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recommendation_linked_status(recommendation uuid) RETURNS text
    LANGUAGE sql STABLE
    AS $$
  SELECT CASE WHEN bool_and(a.status = 'completed') THEN 'done' ELSE 'accepted' END
  FROM recommendation_actions l JOIN actions a ON a.id = l.action_id
  WHERE l.recommendation_id = recommendation
  HAVING count(*) > 0
$$;

--
-- Name: recommendation_refuse(uuid, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recommendation_refuse(recommendation uuid, rule text, detail text) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION 'recommendation %: %', recommendation, detail
    USING ERRCODE = 'check_violation', CONSTRAINT = rule;
END
$$;

--
-- Name: recommendation_transitions_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recommendation_transitions_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION 'Recommendation history is append-only: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END
$$;

--
-- Name: recommendations_change_events(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recommendations_change_events() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: recommendations_checked(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recommendations_checked() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: recommendations_created_event(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recommendations_created_event() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  r recommendations;
BEGIN
  SELECT * INTO r FROM recommendations WHERE id = NEW.id;
  INSERT INTO events (type, unit_id, data) VALUES ('recommendation.created', r.unit_id, recommendation_event_data(r, NULL));
  RETURN NULL;
END
$$;

--
-- Name: recommendations_follow_actions(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recommendations_follow_actions(ids uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: recommendations_history_inserted(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.recommendations_history_inserted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO recommendation_transitions (recommendation_id, from_status, to_status) VALUES (NEW.id, NULL, NEW.status);
  RETURN NULL;
END
$$;

--
-- Name: replies_acknowledge(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.replies_acknowledge() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  UPDATE feedback_items SET acknowledged_at = coalesce(NEW.sent_at, NEW.handed_over_at)
  WHERE id = NEW.feedback_id
    AND (acknowledged_at IS NULL OR acknowledged_at > coalesce(NEW.sent_at, NEW.handed_over_at));
  RETURN NULL;
END
$$;

--
-- Name: reply_support_needed(jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.reply_support_needed(contact jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT nullif(concat_ws('; ',
    CASE WHEN contact -> 'communicationNeeds' @> '["bsl"]' THEN 'British Sign Language (BSL)' END,
    CASE WHEN contact -> 'communicationNeeds' @> '["interpreter"]' THEN 'an interpreter' END,
    CASE WHEN contact -> 'communicationNeeds' @> '["braille"]' THEN 'Braille' END,
    CASE WHEN contact -> 'communicationNeeds' @> '["audio"]' THEN 'audio' END,
    CASE WHEN lower(split_part(coalesce(contact ->> 'language', 'en'), '-', 1)) <> 'en'
      THEN 'language: ' || (contact ->> 'language') END
  ), '')
$$;

--
-- Name: review_invites_end_sessions(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.review_invites_end_sessions() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  DELETE FROM sessions WHERE subject_kind = 'review_invite' AND subject_id = NEW.id;
  RETURN NULL;
END
$$;

--
-- Name: review_invites_one_way(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.review_invites_one_way() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF OLD.used_at IS NOT NULL AND NEW.used_at IS DISTINCT FROM OLD.used_at THEN
    RAISE EXCEPTION 'invite % is already used', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'review_invites_one_way';
  END IF;
  IF OLD.revoked_at IS NOT NULL AND (NEW.revoked_at IS DISTINCT FROM OLD.revoked_at OR NEW.used_at IS DISTINCT FROM OLD.used_at) THEN
    RAISE EXCEPTION 'invite % is revoked', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'review_invites_one_way';
  END IF;
  IF NEW.token_hash <> OLD.token_hash OR NEW.unit_id <> OLD.unit_id OR NEW.expires_at <> OLD.expires_at THEN
    RAISE EXCEPTION 'invite % cannot be re-pointed', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'review_invites_one_way';
  END IF;
  RETURN NEW;
END
$$;

--
-- Name: sessions_subject_live(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.sessions_subject_live() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NEW.subject_kind = 'review_invite' AND NOT EXISTS (
    SELECT 1 FROM review_invites WHERE id = NEW.subject_id AND revoked_at IS NULL AND used_at IS NOT NULL
  ) THEN
    RAISE EXCEPTION 'invite % is not a spent, unrevoked invite: no session may hang from it', NEW.subject_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'sessions_subject_live';
  END IF;
  IF NEW.subject_kind = 'person' AND NOT EXISTS (SELECT 1 FROM people WHERE id = NEW.subject_id) THEN
    RAISE EXCEPTION 'person % does not exist: no session may hang from it', NEW.subject_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'sessions_subject_live';
  END IF;
  RETURN NEW;
END
$$;

--
-- Name: units_board_events(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.units_board_events() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: units_check_action_links(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.units_check_action_links() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: wedid_grant_service_role(name); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.wedid_grant_service_role(service_role name) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', service_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', service_role);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', service_role);
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON audit_events FROM %I', service_role);
  EXECUTE format('GRANT SELECT, INSERT ON audit_events TO %I', service_role);
  -- The service checks at start-up which migrations have run.
  EXECUTE format('GRANT USAGE ON SCHEMA drizzle TO %I', service_role);
  EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA drizzle TO %I', service_role);
END
$$;

--
-- Name: wedid_iso(timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.wedid_iso(at timestamp with time zone) RETURNS text
    LANGUAGE sql STABLE
    AS $$
  SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

--
-- Name: report_spans(bigint); Type: AGGREGATE; Schema: public; Owner: -
--

CREATE AGGREGATE public.report_spans(bigint) (
    SFUNC = array_append,
    STYPE = bigint[],
    COMBINEFUNC = array_cat,
    PARALLEL = safe
);

--
-- Name: action_feedback; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.action_feedback (
    action_id uuid NOT NULL,
    feedback_id uuid NOT NULL,
    linked_at timestamp(3) with time zone DEFAULT now() NOT NULL
);

--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    role text NOT NULL,
    unit_id uuid,
    prefix text NOT NULL,
    secret_hash text NOT NULL,
    bootstrap boolean DEFAULT false NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp(3) with time zone,
    revoked_at timestamp(3) with time zone,
    revoked_reason text,
    revoked_by_key_id uuid,
    CONSTRAINT api_keys_revoked_consistent_check CHECK (((revoked_at IS NULL) = (revoked_reason IS NULL))),
    CONSTRAINT api_keys_revoked_reason_check CHECK ((((revoked_reason IS NULL) AND (revoked_by_key_id IS NULL)) OR (revoked_reason = 'admin'::text) OR ((revoked_reason = 'bootstrap'::text) AND bootstrap AND (revoked_by_key_id IS NULL)))),
    CONSTRAINT api_keys_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'staff'::text, 'intake'::text, 'auditor'::text, 'display'::text, 'reviewer'::text])))
);

--
-- Name: attachment_chunks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.attachment_chunks (
    attachment_id uuid NOT NULL,
    seq integer NOT NULL,
    bytes bytea NOT NULL,
    staged_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT attachment_chunks_seq_check CHECK ((seq >= 0)),
    CONSTRAINT attachment_chunks_size_check CHECK (((octet_length(bytes) >= 1) AND (octet_length(bytes) <= 262144)))
);

--
-- Name: attachments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.attachments (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    feedback_id uuid NOT NULL,
    media_type text NOT NULL,
    byte_size integer NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    created_by_key_id uuid,
    CONSTRAINT attachments_byte_size_check CHECK ((byte_size > 0)),
    CONSTRAINT attachments_media_type_check CHECK ((media_type ~ '^(audio|video|image)/[a-z0-9.+-]+$'::text))
);

--
-- Name: audit_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_events (
    seq bigint DEFAULT 0 NOT NULL,
    occurred_at timestamp(6) with time zone DEFAULT now() NOT NULL,
    actor_key_id uuid,
    actor_name text NOT NULL,
    entity_type text NOT NULL,
    entity_id text NOT NULL,
    action text NOT NULL,
    details jsonb DEFAULT '{}'::jsonb NOT NULL,
    prev_hash text DEFAULT ''::text NOT NULL,
    hash text DEFAULT ''::text NOT NULL,
    chain_version smallint DEFAULT 2 NOT NULL,
    CONSTRAINT audit_events_chain_version_check CHECK ((chain_version = ANY (ARRAY[1, 2, 3])))
);

--
-- Name: decisions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.decisions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    feedback_id uuid NOT NULL,
    reason_code text NOT NULL,
    explanation text NOT NULL,
    referred_to text,
    decided_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    decided_by_key_id uuid,
    superseded_at timestamp(3) with time zone,
    CONSTRAINT decisions_explanation_check CHECK ((btrim(explanation) <> ''::text)),
    CONSTRAINT decisions_reason_check CHECK ((reason_code = ANY (ARRAY['already_in_place'::text, 'not_feasible'::text, 'outside_our_control'::text, 'clinical_safety'::text, 'conflicts_with_other_feedback'::text, 'no_resources'::text, 'duplicate'::text, 'referred_elsewhere'::text, 'other'::text])))
);

--
-- Name: event_commits; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.event_commits (
    seq bigint NOT NULL,
    tx_id xid8 DEFAULT pg_current_xact_id() NOT NULL
);

--
-- Name: event_commits_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.event_commits ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.event_commits_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: event_retention; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.event_retention (
    one boolean DEFAULT true NOT NULL,
    pruned_through_seq bigint DEFAULT 0 NOT NULL,
    pruned_through_position bigint DEFAULT 0 NOT NULL,
    pruned_at timestamp(3) with time zone,
    CONSTRAINT event_retention_one_row CHECK (one),
    CONSTRAINT event_retention_position_check CHECK (((pruned_through_seq >= 0) AND (pruned_through_position >= 0)))
);

--
-- Name: events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.events (
    "position" bigint NOT NULL,
    tx_id xid8 DEFAULT pg_current_xact_id() NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    type text NOT NULL,
    unit_id uuid NOT NULL,
    data jsonb NOT NULL,
    occurred_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT events_type_check CHECK ((type = ANY (ARRAY['feedback.received'::text, 'feedback.updated'::text, 'feedback.closed'::text, 'feedback.reopened'::text, 'feedback.follow_up'::text, 'feedback.safeguarding'::text, 'action.created'::text, 'action.updated'::text, 'action.completed'::text, 'action.cancelled'::text, 'board.updated'::text, 'recommendation.created'::text, 'recommendation.accepted'::text, 'recommendation.declined'::text, 'recommendation.done'::text])))
);

--
-- Name: events_position_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.events ALTER COLUMN "position" ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.events_position_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: feedback_equality; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.feedback_equality (
    feedback_id uuid NOT NULL,
    age_band text,
    sex text,
    gender_same_as_birth text,
    ethnic_group text,
    religion text,
    sexual_orientation text,
    disability text,
    pregnancy_maternity text,
    marriage_civil_partnership text
);

--
-- Name: feedback_facts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.feedback_facts (
    feedback_id uuid NOT NULL,
    unit_id uuid NOT NULL,
    received_at timestamp(3) with time zone NOT NULL,
    due_at timestamp(3) with time zone NOT NULL,
    kind text,
    channel text,
    submitter_role text NOT NULL,
    themes text[] NOT NULL,
    acknowledge_by timestamp(3) with time zone,
    acknowledged_at timestamp(3) with time zone,
    status text DEFAULT 'received'::text NOT NULL,
    status_from timestamp(6) with time zone,
    action_id uuid,
    status_span_us bigint GENERATED ALWAYS AS (((EXTRACT(epoch FROM (status_from - received_at)) * (1000000)::numeric))::bigint) STORED,
    acknowledge_span_us bigint GENERATED ALWAYS AS (((EXTRACT(epoch FROM (acknowledged_at - received_at)) * (1000000)::numeric))::bigint) STORED,
    fft_rating text,
    collection_mode text,
    fft_at timestamp(6) with time zone
);

--
-- Name: feedback_fft_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.feedback_fft_history (
    id bigint NOT NULL,
    feedback_id uuid NOT NULL,
    fft_rating text,
    collection_mode text,
    at timestamp(6) with time zone DEFAULT now() NOT NULL
);

--
-- Name: feedback_fft_history_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.feedback_fft_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: feedback_fft_history_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.feedback_fft_history_id_seq OWNED BY public.feedback_fft_history.id;

--
-- Name: feedback_safeguarding_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.feedback_safeguarding_history (
    id bigint NOT NULL,
    feedback_id uuid NOT NULL,
    safeguarding text NOT NULL,
    at timestamp(6) with time zone DEFAULT now() NOT NULL
);

--
-- Name: feedback_safeguarding_history_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.feedback_safeguarding_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: feedback_safeguarding_history_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.feedback_safeguarding_history_id_seq OWNED BY public.feedback_safeguarding_history.id;

--
-- Name: feedback_status_spells; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.feedback_status_spells (
    feedback_id uuid NOT NULL,
    from_at timestamp(6) with time zone NOT NULL,
    to_at timestamp(6) with time zone,
    status text NOT NULL,
    action_id uuid,
    CONSTRAINT feedback_status_spells_order_check CHECK (((to_at IS NULL) OR (to_at > from_at)))
);

--
-- Name: feedback_transitions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.feedback_transitions (
    id bigint NOT NULL,
    feedback_id uuid NOT NULL,
    from_status text,
    to_status text NOT NULL,
    at timestamp(6) with time zone DEFAULT now() NOT NULL,
    action_id uuid,
    decision_id uuid,
    reason text
);

--
-- Name: feedback_transitions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.feedback_transitions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: feedback_transitions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.feedback_transitions_id_seq OWNED BY public.feedback_transitions.id;

--
-- Name: follow_ups; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.follow_ups (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    feedback_id uuid NOT NULL,
    closing_transition_id bigint NOT NULL,
    answer text NOT NULL,
    comment text,
    answered_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT follow_ups_answer_check CHECK ((answer = ANY (ARRAY['yes'::text, 'partly'::text, 'no'::text])))
);

--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_keys (
    api_key_id uuid NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    response_status integer,
    response_body jsonb,
    response_headers jsonb,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL
);

--
-- Name: people; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.people (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email text,
    idp_group text,
    role text NOT NULL,
    unit_id uuid,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    updated_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT people_email_check CHECK (((email IS NULL) OR ((email = lower(email)) AND (length(email) <= 254) AND (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'::text)))),
    CONSTRAINT people_group_check CHECK (((idp_group IS NULL) OR ((idp_group = btrim(idp_group)) AND ((length(idp_group) >= 1) AND (length(idp_group) <= 256))))),
    CONSTRAINT people_one_match_check CHECK (((email IS NULL) <> (idp_group IS NULL))),
    CONSTRAINT people_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'staff'::text, 'auditor'::text])))
);

--
-- Name: person_invites; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.person_invites (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    token_hash text NOT NULL,
    person_id uuid NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    expires_at timestamp(3) with time zone NOT NULL,
    used_at timestamp(3) with time zone,
    CONSTRAINT person_invites_expiry_check CHECK ((expires_at > created_at)),
    CONSTRAINT person_invites_used_in_time_check CHECK (((used_at IS NULL) OR (used_at <= expires_at)))
);

--
-- Name: recommendation_actions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.recommendation_actions (
    recommendation_id uuid NOT NULL,
    action_id uuid NOT NULL,
    linked_at timestamp(3) with time zone DEFAULT now() NOT NULL
);

--
-- Name: recommendation_feedback; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.recommendation_feedback (
    recommendation_id uuid NOT NULL,
    feedback_id uuid NOT NULL
);

--
-- Name: recommendation_transitions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.recommendation_transitions (
    id bigint NOT NULL,
    recommendation_id uuid NOT NULL,
    from_status text,
    to_status text NOT NULL,
    at timestamp(6) with time zone DEFAULT now() NOT NULL
);

--
-- Name: recommendation_transitions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.recommendation_transitions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: recommendation_transitions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.recommendation_transitions_id_seq OWNED BY public.recommendation_transitions.id;

--
-- Name: replies; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.replies (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    feedback_id uuid NOT NULL,
    transition_id bigint NOT NULL,
    kind text NOT NULL,
    channel text NOT NULL,
    status text DEFAULT 'queued'::text NOT NULL,
    support_needed text,
    easy_read boolean DEFAULT false NOT NULL,
    large_print boolean DEFAULT false NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    lease_token uuid,
    lease_until timestamp(3) with time zone,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    sent_at timestamp(3) with time zone,
    handed_over_at timestamp(3) with time zone,
    last_error text,
    provider_reference text,
    CONSTRAINT replies_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT replies_channel_check CHECK ((channel = ANY (ARRAY['email'::text, 'sms'::text, 'letter'::text, 'in_person'::text]))),
    CONSTRAINT replies_handed_over_check CHECK (((status = 'handed_over'::text) = (handed_over_at IS NOT NULL))),
    CONSTRAINT replies_kind_check CHECK ((kind = ANY (ARRAY['acknowledgement'::text, 'answer'::text]))),
    CONSTRAINT replies_sent_check CHECK (((status = 'sent'::text) = (sent_at IS NOT NULL))),
    CONSTRAINT replies_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'sent'::text, 'handed_over'::text, 'failed'::text, 'undeliverable'::text, 'cancelled'::text])))
);

--
-- Name: review_invites; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.review_invites (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    token_hash text NOT NULL,
    name text,
    unit_id uuid NOT NULL,
    created_by_key_id uuid,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    expires_at timestamp(3) with time zone NOT NULL,
    used_at timestamp(3) with time zone,
    revoked_at timestamp(3) with time zone,
    CONSTRAINT review_invites_expiry_check CHECK ((expires_at > created_at)),
    CONSTRAINT review_invites_name_check CHECK (((name IS NULL) OR ((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200)))),
    CONSTRAINT review_invites_used_in_time_check CHECK (((used_at IS NULL) OR (used_at <= expires_at)))
);

--
-- Name: safeguarding_phrase_list; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.safeguarding_phrase_list (
    id boolean DEFAULT true NOT NULL,
    phrases text[] NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    updated_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT safeguarding_phrase_list_single_check CHECK (id)
);

--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    id_hash text NOT NULL,
    subject_kind text NOT NULL,
    subject_id uuid NOT NULL,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    idle_expires_at timestamp(3) with time zone NOT NULL,
    absolute_expires_at timestamp(3) with time zone NOT NULL,
    CONSTRAINT sessions_expiry_check CHECK (((idle_expires_at <= absolute_expires_at) AND (absolute_expires_at > created_at))),
    CONSTRAINT sessions_subject_kind_check CHECK ((subject_kind = ANY (ARRAY['review_invite'::text, 'person'::text])))
);

--
-- Name: sign_in_attempts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sign_in_attempts (
    id_hash text NOT NULL,
    state text NOT NULL,
    nonce text NOT NULL,
    code_verifier text NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    expires_at timestamp(3) with time zone NOT NULL,
    CONSTRAINT sign_in_attempts_expiry_check CHECK ((expires_at > created_at))
);

--
-- Name: themes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.themes (
    code text NOT NULL,
    label text NOT NULL,
    "position" integer DEFAULT 0 NOT NULL,
    retired_at timestamp(3) with time zone,
    CONSTRAINT themes_code_check CHECK ((code ~ '^[a-z][a-z0-9_]{0,47}$'::text))
);

--
-- Name: units; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.units (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    type text NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    parent_id uuid,
    path uuid[] NOT NULL,
    response_target_days integer,
    board_enabled boolean DEFAULT true NOT NULL,
    board_easy_read boolean DEFAULT false NOT NULL,
    board_version integer DEFAULT 0 NOT NULL,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    updated_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    acknowledgement_target_working_days integer,
    ods_code text,
    board_changed_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT units_acknowledgement_target_check CHECK (((acknowledgement_target_working_days >= 1) AND (acknowledgement_target_working_days <= 30))),
    CONSTRAINT units_code_check CHECK ((code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'::text)),
    CONSTRAINT units_ods_code_check CHECK ((ods_code ~ '^[A-Z0-9]{3,6}$'::text)),
    CONSTRAINT units_response_target_check CHECK (((response_target_days >= 1) AND (response_target_days <= 365))),
    CONSTRAINT units_trust_root_check CHECK (((type = 'trust'::text) = (parent_id IS NULL))),
    CONSTRAINT units_type_check CHECK ((type = ANY (ARRAY['trust'::text, 'site'::text, 'ward'::text, 'service'::text, 'team'::text])))
);

--
-- Name: webhook_attempts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_attempts (
    id bigint NOT NULL,
    delivery_id uuid NOT NULL,
    attempted_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    status_code integer,
    error text,
    duration_ms integer NOT NULL
);

--
-- Name: webhook_attempts_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.webhook_attempts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.webhook_attempts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: webhook_deliveries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_deliveries (
    seq bigint NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    webhook_id uuid NOT NULL,
    event_position bigint NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempt_count integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    first_attempt_at timestamp(3) with time zone,
    delivered_at timestamp(3) with time zone,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_deliveries_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'delivered'::text, 'failed'::text])))
);

--
-- Name: webhook_deliveries_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.webhook_deliveries ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.webhook_deliveries_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: webhooks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhooks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    url text NOT NULL,
    event_types text[] NOT NULL,
    unit_id uuid,
    description text,
    secret text NOT NULL,
    status text DEFAULT 'enabled'::text NOT NULL,
    disabled_reason text,
    disabled_at timestamp(3) with time zone,
    cursor_position bigint DEFAULT 0 NOT NULL,
    next_attempt_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    lease_until timestamp(3) with time zone DEFAULT '-infinity'::timestamp with time zone NOT NULL,
    lease_token uuid,
    created_by_key_id uuid,
    created_at timestamp(3) with time zone DEFAULT now() NOT NULL,
    cursor_seq bigint DEFAULT 0 NOT NULL,
    CONSTRAINT webhooks_disabled_reason_check CHECK (((disabled_reason = ANY (ARRAY['gone'::text, 'failing'::text, 'creator_revoked'::text])) AND ((status = 'disabled'::text) = (disabled_reason IS NOT NULL)))),
    CONSTRAINT webhooks_status_check CHECK ((status = ANY (ARRAY['enabled'::text, 'disabled'::text])))
);

--
-- Name: feedback_fft_history id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_fft_history ALTER COLUMN id SET DEFAULT nextval('public.feedback_fft_history_id_seq'::regclass);

--
-- Name: feedback_safeguarding_history id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_safeguarding_history ALTER COLUMN id SET DEFAULT nextval('public.feedback_safeguarding_history_id_seq'::regclass);

--
-- Name: feedback_transitions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_transitions ALTER COLUMN id SET DEFAULT nextval('public.feedback_transitions_id_seq'::regclass);

--
-- Name: recommendation_transitions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.recommendation_transitions ALTER COLUMN id SET DEFAULT nextval('public.recommendation_transitions_id_seq'::regclass);

--
-- Name: action_feedback action_feedback_action_id_feedback_id_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.action_feedback
    ADD CONSTRAINT action_feedback_action_id_feedback_id_pk PRIMARY KEY (action_id, feedback_id);

--
-- Name: actions actions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.actions
    ADD CONSTRAINT actions_pkey PRIMARY KEY (id);

--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);

--
-- Name: api_keys api_keys_secretHash_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT "api_keys_secretHash_unique" UNIQUE (secret_hash);

--
-- Name: attachment_chunks attachment_chunks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachment_chunks
    ADD CONSTRAINT attachment_chunks_pkey PRIMARY KEY (attachment_id, seq);

--
-- Name: attachments attachments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_pkey PRIMARY KEY (id);

--
-- Name: audit_events audit_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_pkey PRIMARY KEY (seq);

--
-- Name: decisions decisions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.decisions
    ADD CONSTRAINT decisions_pkey PRIMARY KEY (id);

--
-- Name: event_commits event_commits_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_commits
    ADD CONSTRAINT event_commits_pkey PRIMARY KEY (seq);

--
-- Name: event_commits event_commits_txId_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_commits
    ADD CONSTRAINT "event_commits_txId_unique" UNIQUE (tx_id);

--
-- Name: event_retention event_retention_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_retention
    ADD CONSTRAINT event_retention_pkey PRIMARY KEY (one);

--
-- Name: events events_id_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_id_unique UNIQUE (id);

--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY ("position");

--
-- Name: feedback_equality feedback_equality_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_equality
    ADD CONSTRAINT feedback_equality_pkey PRIMARY KEY (feedback_id);

--
-- Name: feedback_facts feedback_facts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_facts
    ADD CONSTRAINT feedback_facts_pkey PRIMARY KEY (feedback_id);

--
-- Name: feedback_fft_history feedback_fft_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_fft_history
    ADD CONSTRAINT feedback_fft_history_pkey PRIMARY KEY (id);

--
-- Name: feedback_items feedback_items_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_items
    ADD CONSTRAINT feedback_items_pkey PRIMARY KEY (id);

--
-- Name: feedback_items feedback_items_reference_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_items
    ADD CONSTRAINT feedback_items_reference_unique UNIQUE (reference);

--
-- Name: feedback_safeguarding_history feedback_safeguarding_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_safeguarding_history
    ADD CONSTRAINT feedback_safeguarding_history_pkey PRIMARY KEY (id);

--
-- Name: feedback_status_spells feedback_status_spells_feedback_id_from_at_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_status_spells
    ADD CONSTRAINT feedback_status_spells_feedback_id_from_at_pk PRIMARY KEY (feedback_id, from_at);

--
-- Name: feedback_transitions feedback_transitions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_transitions
    ADD CONSTRAINT feedback_transitions_pkey PRIMARY KEY (id);

--
-- Name: follow_ups follow_ups_closingTransitionId_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_ups
    ADD CONSTRAINT "follow_ups_closingTransitionId_unique" UNIQUE (closing_transition_id);

--
-- Name: follow_ups follow_ups_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_ups
    ADD CONSTRAINT follow_ups_pkey PRIMARY KEY (id);

--
-- Name: idempotency_keys idempotency_keys_api_key_id_key_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_api_key_id_key_pk PRIMARY KEY (api_key_id, key);

--
-- Name: people people_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.people
    ADD CONSTRAINT people_pkey PRIMARY KEY (id);

--
-- Name: person_invites person_invites_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.person_invites
    ADD CONSTRAINT person_invites_pkey PRIMARY KEY (id);

--
-- Name: person_invites person_invites_token_hash_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.person_invites
    ADD CONSTRAINT person_invites_token_hash_unique UNIQUE (token_hash);

--
-- Name: recommendation_actions recommendation_actions_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.recommendation_actions
    ADD CONSTRAINT recommendation_actions_pk PRIMARY KEY (recommendation_id, action_id);

--
-- Name: recommendation_feedback recommendation_feedback_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.recommendation_feedback
    ADD CONSTRAINT recommendation_feedback_pk PRIMARY KEY (recommendation_id, feedback_id);

--
-- Name: recommendation_transitions recommendation_transitions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.recommendation_transitions
    ADD CONSTRAINT recommendation_transitions_pkey PRIMARY KEY (id);

--
-- Name: recommendations recommendations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.recommendations
    ADD CONSTRAINT recommendations_pkey PRIMARY KEY (id);

--
-- Name: replies replies_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.replies
    ADD CONSTRAINT replies_pkey PRIMARY KEY (id);

--
-- Name: replies replies_transitionId_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.replies
    ADD CONSTRAINT "replies_transitionId_unique" UNIQUE (transition_id);

--
-- Name: review_invites review_invites_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_invites
    ADD CONSTRAINT review_invites_pkey PRIMARY KEY (id);

--
-- Name: review_invites review_invites_token_hash_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_invites
    ADD CONSTRAINT review_invites_token_hash_unique UNIQUE (token_hash);

--
-- Name: safeguarding_phrase_list safeguarding_phrase_list_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.safeguarding_phrase_list
    ADD CONSTRAINT safeguarding_phrase_list_pkey PRIMARY KEY (id);

--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id_hash);

--
-- Name: sign_in_attempts sign_in_attempts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sign_in_attempts
    ADD CONSTRAINT sign_in_attempts_pkey PRIMARY KEY (id_hash);

--
-- Name: themes themes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.themes
    ADD CONSTRAINT themes_pkey PRIMARY KEY (code);

--
-- Name: units units_code_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.units
    ADD CONSTRAINT units_code_unique UNIQUE (code);

--
-- Name: units units_ods_code_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.units
    ADD CONSTRAINT units_ods_code_unique UNIQUE (ods_code);

--
-- Name: units units_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.units
    ADD CONSTRAINT units_pkey PRIMARY KEY (id);

--
-- Name: webhook_attempts webhook_attempts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_attempts
    ADD CONSTRAINT webhook_attempts_pkey PRIMARY KEY (id);

--
-- Name: webhook_deliveries webhook_deliveries_id_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_id_unique UNIQUE (id);

--
-- Name: webhook_deliveries webhook_deliveries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (seq);

--
-- Name: webhooks webhooks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhooks
    ADD CONSTRAINT webhooks_pkey PRIMARY KEY (id);

--
-- Name: action_feedback_feedback_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX action_feedback_feedback_idx ON public.action_feedback USING btree (feedback_id);

--
-- Name: actions_completed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX actions_completed_idx ON public.actions USING btree (unit_id, completed_at DESC NULLS LAST);

--
-- Name: actions_unit_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX actions_unit_idx ON public.actions USING btree (unit_id, created_at DESC NULLS LAST, id DESC NULLS LAST);

--
-- Name: api_keys_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_created_idx ON public.api_keys USING btree (created_at, id);

--
-- Name: attachment_chunks_staged_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX attachment_chunks_staged_idx ON public.attachment_chunks USING btree (staged_at);

--
-- Name: attachments_feedback_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX attachments_feedback_idx ON public.attachments USING btree (feedback_id, created_at, id);

--
-- Name: audit_actor_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_actor_idx ON public.audit_events USING btree (actor_key_id, seq);

--
-- Name: audit_entity_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_entity_idx ON public.audit_events USING btree (entity_type, entity_id, seq);

--
-- Name: audit_time_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_time_idx ON public.audit_events USING btree (occurred_at);

--
-- Name: decisions_current_unique; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX decisions_current_unique ON public.decisions USING btree (feedback_id) WHERE (superseded_at IS NULL);

--
-- Name: events_order_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_order_idx ON public.events USING btree (tx_id, "position");

--
-- Name: feedback_created_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_created_by_idx ON public.feedback_items USING btree (created_by_key_id);

--
-- Name: feedback_external_ref_unique; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX feedback_external_ref_unique ON public.feedback_items USING btree (external_system, external_id);

--
-- Name: feedback_facts_fft_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_facts_fft_at_idx ON public.feedback_facts USING btree (fft_at) WHERE (fft_at IS NOT NULL);

--
-- Name: feedback_fft_history_latest_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_fft_history_latest_idx ON public.feedback_fft_history USING btree (feedback_id, at DESC, id DESC, fft_rating, collection_mode);

--
-- Name: feedback_kind_received_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_kind_received_idx ON public.feedback_items USING btree (kind, received_at DESC NULLS LAST, id DESC NULLS LAST);

--
-- Name: feedback_open_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_open_due_idx ON public.feedback_items USING btree (due_at) WHERE (closed_at IS NULL);

--
-- Name: feedback_open_received_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_open_received_idx ON public.feedback_items USING btree (received_at DESC NULLS LAST, id DESC NULLS LAST, due_at) WHERE (closed_at IS NULL);

--
-- Name: feedback_received_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_received_idx ON public.feedback_items USING btree (received_at DESC NULLS LAST, id DESC NULLS LAST);

--
-- Name: feedback_safeguarding_flagged_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_safeguarding_flagged_idx ON public.feedback_items USING btree (received_at DESC, id DESC) WHERE (safeguarding = 'flagged'::text);

--
-- Name: feedback_safeguarding_history_latest_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_safeguarding_history_latest_idx ON public.feedback_safeguarding_history USING btree (feedback_id, at DESC, id DESC, safeguarding);

--
-- Name: feedback_search_gin; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_search_gin ON public.feedback_items USING gin (search);

--
-- Name: feedback_status_spells_current_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_status_spells_current_idx ON public.feedback_status_spells USING btree (feedback_id, from_at, status, action_id) WHERE (to_at IS NULL);

--
-- Name: feedback_status_spells_ended_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_status_spells_ended_idx ON public.feedback_status_spells USING btree (to_at, from_at, feedback_id, status, action_id) WHERE (to_at IS NOT NULL);

--
-- Name: feedback_themes_gin; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_themes_gin ON public.feedback_items USING gin (themes);

--
-- Name: feedback_transitions_item_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_transitions_item_idx ON public.feedback_transitions USING btree (feedback_id, at);

--
-- Name: feedback_transitions_latest_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_transitions_latest_idx ON public.feedback_transitions USING btree (feedback_id, at DESC NULLS LAST, id DESC NULLS LAST, to_status, action_id);

--
-- Name: feedback_unacknowledged_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_unacknowledged_idx ON public.feedback_items USING btree (acknowledge_by) WHERE (acknowledged_at IS NULL);

--
-- Name: feedback_unit_received_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_unit_received_idx ON public.feedback_items USING btree (unit_id, received_at DESC NULLS LAST, id DESC NULLS LAST);

--
-- Name: follow_ups_feedback_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX follow_ups_feedback_idx ON public.follow_ups USING btree (feedback_id, answered_at);

--
-- Name: people_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX people_created_idx ON public.people USING btree (created_at, id);

--
-- Name: people_email_unique; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX people_email_unique ON public.people USING btree (email) WHERE (email IS NOT NULL);

--
-- Name: people_group_unique; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX people_group_unique ON public.people USING btree (idp_group) WHERE (idp_group IS NOT NULL);

--
-- Name: person_invites_person_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX person_invites_person_idx ON public.person_invites USING btree (person_id);

--
-- Name: recommendation_actions_action_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX recommendation_actions_action_idx ON public.recommendation_actions USING btree (action_id);

--
-- Name: recommendation_transitions_latest_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX recommendation_transitions_latest_idx ON public.recommendation_transitions USING btree (recommendation_id, at DESC, id DESC, to_status);

--
-- Name: recommendations_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX recommendations_created_idx ON public.recommendations USING btree (created_at DESC, id DESC);

--
-- Name: recommendations_made_by_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX recommendations_made_by_idx ON public.recommendations USING btree (made_by, created_at DESC, id DESC);

--
-- Name: recommendations_unit_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX recommendations_unit_idx ON public.recommendations USING btree (unit_id, created_at DESC, id DESC);

--
-- Name: replies_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX replies_due_idx ON public.replies USING btree (next_attempt_at) WHERE ((status = 'queued'::text) AND (channel <> 'in_person'::text));

--
-- Name: replies_feedback_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX replies_feedback_idx ON public.replies USING btree (feedback_id, created_at, id);

--
-- Name: review_invites_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX review_invites_created_idx ON public.review_invites USING btree (created_at, id);

--
-- Name: sessions_absolute_expires_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_absolute_expires_idx ON public.sessions USING btree (absolute_expires_at);

--
-- Name: sessions_subject_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_subject_idx ON public.sessions USING btree (subject_kind, subject_id);

--
-- Name: sign_in_attempts_expires_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sign_in_attempts_expires_idx ON public.sign_in_attempts USING btree (expires_at);

--
-- Name: units_parent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX units_parent_idx ON public.units USING btree (parent_id);

--
-- Name: units_path_gin; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX units_path_gin ON public.units USING gin (path);

--
-- Name: webhook_attempts_delivery_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_attempts_delivery_idx ON public.webhook_attempts USING btree (delivery_id, id);

--
-- Name: webhook_deliveries_event_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_deliveries_event_idx ON public.webhook_deliveries USING btree (event_position);

--
-- Name: webhook_deliveries_list_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_deliveries_list_idx ON public.webhook_deliveries USING btree (webhook_id, seq);

--
-- Name: webhook_deliveries_queue_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_deliveries_queue_idx ON public.webhook_deliveries USING btree (webhook_id, seq) WHERE (status = 'pending'::text);

--
-- Name: webhooks_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhooks_due_idx ON public.webhooks USING btree (next_attempt_at) WHERE (status = 'enabled'::text);

--
-- Name: feedback_facts_london_month_stats; Type: STATISTICS; Schema: public; Owner: -
--

CREATE STATISTICS public.feedback_facts_london_month_stats ON date_trunc('month'::text, (received_at AT TIME ZONE 'Europe/London'::text)) FROM public.feedback_facts;

--
-- Name: feedback_facts_utc_month_stats; Type: STATISTICS; Schema: public; Owner: -
--

CREATE STATISTICS public.feedback_facts_utc_month_stats ON date_trunc('month'::text, (received_at AT TIME ZONE 'UTC'::text)) FROM public.feedback_facts;

--
-- Name: action_feedback action_feedback_invariants; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER action_feedback_invariants AFTER INSERT OR DELETE OR UPDATE ON public.action_feedback DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.feedback_link_check_row();

--
-- Name: action_feedback action_feedback_within_subtree; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER action_feedback_within_subtree AFTER INSERT OR UPDATE ON public.action_feedback DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.action_feedback_check_subtree();

--
-- Name: actions actions_change_events; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER actions_change_events AFTER UPDATE ON public.actions REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION public.actions_change_events();

--
-- Name: actions actions_created_events; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER actions_created_events AFTER INSERT ON public.actions REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION public.actions_created_events();

--
-- Name: actions actions_invariants; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER actions_invariants AFTER UPDATE OF status ON public.actions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.actions_check_row();

--
-- Name: actions actions_links_within_subtree; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER actions_links_within_subtree AFTER UPDATE OF unit_id ON public.actions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.actions_check_links_subtree();

--
-- Name: actions actions_move_recommendations; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER actions_move_recommendations AFTER UPDATE OF status ON public.actions FOR EACH ROW WHEN ((old.status IS DISTINCT FROM new.status)) EXECUTE FUNCTION public.actions_move_recommendations();

--
-- Name: attachment_chunks attachment_chunks_claimed_unchanged; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER attachment_chunks_claimed_unchanged BEFORE DELETE OR UPDATE ON public.attachment_chunks FOR EACH ROW EXECUTE FUNCTION public.attachment_chunks_claimed_unchanged();

--
-- Name: attachment_chunks attachment_chunks_not_claimed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER attachment_chunks_not_claimed BEFORE INSERT ON public.attachment_chunks FOR EACH ROW EXECUTE FUNCTION public.attachment_chunks_not_claimed();

--
-- Name: attachments attachments_claim_whole_file; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER attachments_claim_whole_file AFTER INSERT OR UPDATE OF id, byte_size ON public.attachments FOR EACH ROW EXECUTE FUNCTION public.attachments_claim_whole_file();

--
-- Name: attachments attachments_delete_chunks; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER attachments_delete_chunks AFTER DELETE ON public.attachments FOR EACH ROW EXECUTE FUNCTION public.attachments_delete_chunks();

--
-- Name: attachments attachments_not_erased; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER attachments_not_erased BEFORE INSERT ON public.attachments FOR EACH ROW EXECUTE FUNCTION public.attachments_not_erased();

--
-- Name: audit_events audit_events_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_events_append_only BEFORE DELETE OR UPDATE ON public.audit_events FOR EACH ROW EXECUTE FUNCTION public.audit_events_refuse_change();

--
-- Name: audit_events audit_events_chain; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_events_chain BEFORE INSERT ON public.audit_events FOR EACH ROW EXECUTE FUNCTION public.audit_events_chain();

--
-- Name: audit_events audit_events_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON public.audit_events FOR EACH STATEMENT EXECUTE FUNCTION public.audit_events_refuse_change();

--
-- Name: decisions decisions_invariants; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER decisions_invariants AFTER INSERT OR DELETE OR UPDATE ON public.decisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.feedback_link_check_row();

--
-- Name: event_retention event_retention_forward_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER event_retention_forward_only BEFORE DELETE OR UPDATE ON public.event_retention FOR EACH ROW EXECUTE FUNCTION public.event_retention_refuse_change();

--
-- Name: event_retention event_retention_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER event_retention_no_truncate BEFORE TRUNCATE ON public.event_retention FOR EACH STATEMENT EXECUTE FUNCTION public.event_retention_refuse_change();

--
-- Name: events events_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_append_only BEFORE UPDATE ON public.events FOR EACH ROW EXECUTE FUNCTION public.events_refuse_update();

--
-- Name: events events_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON public.events FOR EACH STATEMENT EXECUTE FUNCTION public.events_refuse_truncate();

--
-- Name: events events_notify; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_notify AFTER INSERT ON public.events FOR EACH STATEMENT EXECUTE FUNCTION public.events_notify();

--
-- Name: events events_pruned_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_pruned_only AFTER DELETE ON public.events REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION public.events_check_pruned();

--
-- Name: events events_seal_commit; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER events_seal_commit AFTER INSERT ON public.events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.events_seal_commit();

--
-- Name: feedback_facts feedback_facts_written_by_triggers; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_facts_written_by_triggers BEFORE INSERT OR DELETE OR UPDATE OR TRUNCATE ON public.feedback_facts FOR EACH STATEMENT EXECUTE FUNCTION public.feedback_facts_written_by_triggers();

--
-- Name: feedback_fft_history feedback_fft_history_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_fft_history_append_only BEFORE DELETE OR UPDATE ON public.feedback_fft_history FOR EACH ROW EXECUTE FUNCTION public.feedback_fft_history_append_only();

--
-- Name: feedback_items feedback_fft_history_inserted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_fft_history_inserted AFTER INSERT ON public.feedback_items REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION public.feedback_fft_history_inserted();

--
-- Name: feedback_items feedback_fft_history_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_fft_history_updated AFTER UPDATE ON public.feedback_items REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION public.feedback_fft_history_updated();

--
-- Name: feedback_items feedback_items_action_links_within_subtree; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER feedback_items_action_links_within_subtree AFTER UPDATE OF unit_id ON public.feedback_items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.feedback_items_check_action_links();

--
-- Name: feedback_items feedback_items_change_events; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_items_change_events AFTER UPDATE ON public.feedback_items REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION public.feedback_items_change_events();

--
-- Name: feedback_items feedback_items_erase_attachments; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_items_erase_attachments AFTER UPDATE OF erased_at ON public.feedback_items FOR EACH ROW WHEN (((old.erased_at IS NULL) AND (new.erased_at IS NOT NULL))) EXECUTE FUNCTION public.feedback_items_erase_attachments();

--
-- Name: feedback_items feedback_items_erase_replies; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_items_erase_replies AFTER UPDATE OF erased_at ON public.feedback_items FOR EACH ROW WHEN (((old.erased_at IS NULL) AND (new.erased_at IS NOT NULL))) EXECUTE FUNCTION public.feedback_items_erase_replies();

--
-- Name: feedback_items feedback_items_facts_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_items_facts_insert AFTER INSERT ON public.feedback_items REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION public.feedback_items_facts_insert();

--
-- Name: feedback_items feedback_items_facts_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_items_facts_update AFTER UPDATE ON public.feedback_items FOR EACH ROW WHEN ((((((((((((old.unit_id IS DISTINCT FROM new.unit_id) OR (old.received_at IS DISTINCT FROM new.received_at)) OR (old.due_at IS DISTINCT FROM new.due_at)) OR (old.kind IS DISTINCT FROM new.kind)) OR (old.channel IS DISTINCT FROM new.channel)) OR (old.submitter_role IS DISTINCT FROM new.submitter_role)) OR (old.themes IS DISTINCT FROM new.themes)) OR (old.acknowledge_by IS DISTINCT FROM new.acknowledge_by)) OR (old.acknowledged_at IS DISTINCT FROM new.acknowledged_at)) OR (old.fft_rating IS DISTINCT FROM new.fft_rating)) OR (old.collection_mode IS DISTINCT FROM new.collection_mode))) EXECUTE FUNCTION public.feedback_items_facts_update();

--
-- Name: feedback_items feedback_items_invariants; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER feedback_items_invariants AFTER UPDATE ON public.feedback_items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.feedback_items_check_row();

--
-- Name: feedback_items feedback_items_invariants_inserted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER feedback_items_invariants_inserted AFTER INSERT ON public.feedback_items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((new.status <> 'received'::text)) EXECUTE FUNCTION public.feedback_items_check_row();

--
-- Name: feedback_items feedback_items_received_events; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_items_received_events AFTER INSERT ON public.feedback_items REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION public.feedback_items_received_events();

--
-- Name: feedback_items feedback_items_safeguarding_inserted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_items_safeguarding_inserted AFTER INSERT ON public.feedback_items REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION public.feedback_items_safeguarding_inserted();

--
-- Name: feedback_items feedback_items_safeguarding_updated; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_items_safeguarding_updated AFTER UPDATE ON public.feedback_items REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION public.feedback_items_safeguarding_updated();

--
-- Name: feedback_items feedback_items_says_something; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER feedback_items_says_something AFTER INSERT OR UPDATE ON public.feedback_items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (((new.text IS NULL) AND (new.fft_rating IS NULL) AND (new.erased_at IS NULL))) EXECUTE FUNCTION public.feedback_items_says_something();

--
-- Name: feedback_safeguarding_history feedback_safeguarding_history_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_safeguarding_history_append_only BEFORE DELETE OR UPDATE ON public.feedback_safeguarding_history FOR EACH ROW EXECUTE FUNCTION public.feedback_safeguarding_history_append_only();

--
-- Name: feedback_status_spells feedback_status_spells_no_overlap; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER feedback_status_spells_no_overlap AFTER INSERT OR UPDATE ON public.feedback_status_spells DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION public.feedback_status_spells_no_overlap();

--
-- Name: feedback_transitions feedback_transitions_acknowledge; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_transitions_acknowledge AFTER INSERT ON public.feedback_transitions REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION public.feedback_transitions_acknowledge();

--
-- Name: feedback_transitions feedback_transitions_queue_replies; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_transitions_queue_replies AFTER INSERT ON public.feedback_transitions REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION public.feedback_transitions_queue_replies();

--
-- Name: feedback_transitions feedback_transitions_spells; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER feedback_transitions_spells AFTER INSERT ON public.feedback_transitions REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION public.feedback_transitions_spells();

--
-- Name: follow_ups follow_ups_events; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER follow_ups_events AFTER INSERT ON public.follow_ups REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION public.follow_ups_events();

--
-- Name: people people_end_sessions_on_change; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER people_end_sessions_on_change AFTER UPDATE OF email, idp_group, role, unit_id ON public.people FOR EACH ROW WHEN (((old.email IS DISTINCT FROM new.email) OR (old.idp_group IS DISTINCT FROM new.idp_group) OR (old.role IS DISTINCT FROM new.role) OR (old.unit_id IS DISTINCT FROM new.unit_id))) EXECUTE FUNCTION public.people_end_sessions();

--
-- Name: people people_end_sessions_on_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER people_end_sessions_on_delete AFTER DELETE ON public.people FOR EACH ROW EXECUTE FUNCTION public.people_end_sessions();

--
-- Name: recommendation_actions recommendation_actions_invariants; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER recommendation_actions_invariants AFTER INSERT OR DELETE OR UPDATE ON public.recommendation_actions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.recommendations_checked();

--
-- Name: recommendation_actions recommendation_actions_moved; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER recommendation_actions_moved AFTER INSERT OR DELETE ON public.recommendation_actions FOR EACH ROW EXECUTE FUNCTION public.recommendation_actions_moved();

--
-- Name: recommendation_feedback recommendation_feedback_invariants; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER recommendation_feedback_invariants AFTER INSERT OR UPDATE ON public.recommendation_feedback DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.recommendations_checked();

--
-- Name: recommendation_transitions recommendation_transitions_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER recommendation_transitions_append_only BEFORE DELETE OR UPDATE ON public.recommendation_transitions FOR EACH ROW EXECUTE FUNCTION public.recommendation_transitions_append_only();

--
-- Name: recommendations recommendations_change_events; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER recommendations_change_events AFTER UPDATE ON public.recommendations FOR EACH ROW EXECUTE FUNCTION public.recommendations_change_events();

--
-- Name: recommendations recommendations_created_event; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER recommendations_created_event AFTER INSERT ON public.recommendations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.recommendations_created_event();

--
-- Name: recommendations recommendations_history_inserted; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER recommendations_history_inserted AFTER INSERT ON public.recommendations FOR EACH ROW EXECUTE FUNCTION public.recommendations_history_inserted();

--
-- Name: recommendations recommendations_invariants; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER recommendations_invariants AFTER INSERT OR UPDATE ON public.recommendations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.recommendations_checked();

--
-- Name: replies replies_acknowledge; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER replies_acknowledge AFTER UPDATE OF status ON public.replies FOR EACH ROW WHEN (((new.status = ANY (ARRAY['sent'::text, 'handed_over'::text])) AND (old.status IS DISTINCT FROM new.status))) EXECUTE FUNCTION public.replies_acknowledge();

--
-- Name: review_invites review_invites_end_sessions; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER review_invites_end_sessions AFTER UPDATE OF revoked_at ON public.review_invites FOR EACH ROW WHEN (((old.revoked_at IS NULL) AND (new.revoked_at IS NOT NULL))) EXECUTE FUNCTION public.review_invites_end_sessions();

--
-- Name: review_invites review_invites_one_way; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER review_invites_one_way BEFORE UPDATE ON public.review_invites FOR EACH ROW EXECUTE FUNCTION public.review_invites_one_way();

--
-- Name: sessions sessions_subject_live; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER sessions_subject_live BEFORE INSERT ON public.sessions FOR EACH ROW EXECUTE FUNCTION public.sessions_subject_live();

--
-- Name: units units_action_links_within_subtree; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER units_action_links_within_subtree AFTER UPDATE OF path ON public.units DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.units_check_action_links();

--
-- Name: units units_board_events; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER units_board_events AFTER UPDATE ON public.units REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION public.units_board_events();

--
-- Name: action_feedback action_feedback_action_id_actions_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.action_feedback
    ADD CONSTRAINT action_feedback_action_id_actions_id_fk FOREIGN KEY (action_id) REFERENCES public.actions(id);

--
-- Name: action_feedback action_feedback_feedback_id_feedback_items_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.action_feedback
    ADD CONSTRAINT action_feedback_feedback_id_feedback_items_id_fk FOREIGN KEY (feedback_id) REFERENCES public.feedback_items(id);

--
-- Name: actions actions_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.actions
    ADD CONSTRAINT actions_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id);

--
-- Name: api_keys api_keys_revoked_by_key_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_revoked_by_key_id_fkey FOREIGN KEY (revoked_by_key_id) REFERENCES public.api_keys(id);

--
-- Name: api_keys api_keys_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id);

--
-- Name: attachments attachments_created_by_key_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_created_by_key_id_fkey FOREIGN KEY (created_by_key_id) REFERENCES public.api_keys(id);

--
-- Name: attachments attachments_feedback_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_feedback_id_fkey FOREIGN KEY (feedback_id) REFERENCES public.feedback_items(id);

--
-- Name: decisions decisions_decided_by_key_id_api_keys_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.decisions
    ADD CONSTRAINT decisions_decided_by_key_id_api_keys_id_fk FOREIGN KEY (decided_by_key_id) REFERENCES public.api_keys(id);

--
-- Name: decisions decisions_feedback_id_feedback_items_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.decisions
    ADD CONSTRAINT decisions_feedback_id_feedback_items_id_fk FOREIGN KEY (feedback_id) REFERENCES public.feedback_items(id);

--
-- Name: events events_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id);

--
-- Name: feedback_equality feedback_equality_feedback_id_feedback_items_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_equality
    ADD CONSTRAINT feedback_equality_feedback_id_feedback_items_id_fk FOREIGN KEY (feedback_id) REFERENCES public.feedback_items(id) ON DELETE CASCADE;

--
-- Name: feedback_facts feedback_facts_feedback_id_feedback_items_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_facts
    ADD CONSTRAINT feedback_facts_feedback_id_feedback_items_id_fk FOREIGN KEY (feedback_id) REFERENCES public.feedback_items(id);

--
-- Name: feedback_fft_history feedback_fft_history_feedback_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_fft_history
    ADD CONSTRAINT feedback_fft_history_feedback_id_fkey FOREIGN KEY (feedback_id) REFERENCES public.feedback_items(id);

--
-- Name: feedback_items feedback_items_created_by_key_id_api_keys_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_items
    ADD CONSTRAINT feedback_items_created_by_key_id_api_keys_id_fk FOREIGN KEY (created_by_key_id) REFERENCES public.api_keys(id);

--
-- Name: feedback_items feedback_items_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_items
    ADD CONSTRAINT feedback_items_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id);

--
-- Name: feedback_safeguarding_history feedback_safeguarding_history_feedback_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_safeguarding_history
    ADD CONSTRAINT feedback_safeguarding_history_feedback_id_fkey FOREIGN KEY (feedback_id) REFERENCES public.feedback_items(id);

--
-- Name: feedback_status_spells feedback_status_spells_feedback_id_feedback_items_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_status_spells
    ADD CONSTRAINT feedback_status_spells_feedback_id_feedback_items_id_fk FOREIGN KEY (feedback_id) REFERENCES public.feedback_items(id);

--
-- Name: feedback_transitions feedback_transitions_feedback_id_feedback_items_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback_transitions
    ADD CONSTRAINT feedback_transitions_feedback_id_feedback_items_id_fk FOREIGN KEY (feedback_id) REFERENCES public.feedback_items(id);

--
-- Name: follow_ups follow_ups_closing_transition_id_feedback_transitions_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_ups
    ADD CONSTRAINT follow_ups_closing_transition_id_feedback_transitions_id_fk FOREIGN KEY (closing_transition_id) REFERENCES public.feedback_transitions(id);

--
-- Name: follow_ups follow_ups_feedback_id_feedback_items_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_ups
    ADD CONSTRAINT follow_ups_feedback_id_feedback_items_id_fk FOREIGN KEY (feedback_id) REFERENCES public.feedback_items(id);

--
-- Name: idempotency_keys idempotency_keys_api_key_id_api_keys_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_api_key_id_api_keys_id_fk FOREIGN KEY (api_key_id) REFERENCES public.api_keys(id);

--
-- Name: people people_unit_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.people
    ADD CONSTRAINT people_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES public.units(id);

--
-- Name: person_invites person_invites_person_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.person_invites
    ADD CONSTRAINT person_invites_person_id_fkey FOREIGN KEY (person_id) REFERENCES public.people(id) ON DELETE CASCADE;

--
-- Name: recommendation_actions recommendation_actions_action_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.recommendation_actions
    ADD CONSTRAINT recommendation_actions_action_id_fkey FOREIGN KEY (action_id) REFERENCES public.actions(id);

--
-- Name: recommendation_actions recommendation_actions_recommendation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.recommendation_actions
    ADD CONSTRAINT recommendation_actions_recommendation_id_fkey FOREIGN KEY (recommendation_id) REFERENCES public.recommendations(id);

--
-- Name: recommendation_feedback recommendation_feedback_feedback_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.recommendation_feedback
    ADD CONSTRAINT recommendation_feedback_feedback_id_fkey FOREIGN KEY (feedback_id) REFERENCES public.feedback_items(id);

--
-- Name: recommendation_feedback recommendation_feedback_recommendation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.recommendation_feedback
    ADD CONSTRAINT recommendation_feedback_recommendation_id_fkey FOREIGN KEY (recommendation_id) REFERENCES public.recommendations(id);

--
-- Name: recommendation_transitions recommendation_transitions_recommendation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.recommendation_transitions
    ADD CONSTRAINT recommendation_transitions_recommendation_id_fkey FOREIGN KEY (recommendation_id) REFERENCES public.recommendations(id);

--
-- Name: recommendations recommendations_unit_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.recommendations
    ADD CONSTRAINT recommendations_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES public.units(id);

--
-- Name: replies replies_feedback_id_feedback_items_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.replies
    ADD CONSTRAINT replies_feedback_id_feedback_items_id_fk FOREIGN KEY (feedback_id) REFERENCES public.feedback_items(id);

--
-- Name: replies replies_transition_id_feedback_transitions_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.replies
    ADD CONSTRAINT replies_transition_id_feedback_transitions_id_fk FOREIGN KEY (transition_id) REFERENCES public.feedback_transitions(id);

--
-- Name: review_invites review_invites_created_by_key_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_invites
    ADD CONSTRAINT review_invites_created_by_key_id_fkey FOREIGN KEY (created_by_key_id) REFERENCES public.api_keys(id);

--
-- Name: review_invites review_invites_unit_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.review_invites
    ADD CONSTRAINT review_invites_unit_id_fkey FOREIGN KEY (unit_id) REFERENCES public.units(id);

--
-- Name: units units_parent_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.units
    ADD CONSTRAINT units_parent_id_units_id_fk FOREIGN KEY (parent_id) REFERENCES public.units(id);

--
-- Name: webhook_attempts webhook_attempts_delivery_id_webhook_deliveries_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_attempts
    ADD CONSTRAINT webhook_attempts_delivery_id_webhook_deliveries_id_fk FOREIGN KEY (delivery_id) REFERENCES public.webhook_deliveries(id) ON DELETE CASCADE;

--
-- Name: webhook_deliveries webhook_deliveries_event_position_events_position_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_event_position_events_position_fk FOREIGN KEY (event_position) REFERENCES public.events("position") ON DELETE CASCADE;

--
-- Name: webhook_deliveries webhook_deliveries_webhook_id_webhooks_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_webhook_id_webhooks_id_fk FOREIGN KEY (webhook_id) REFERENCES public.webhooks(id) ON DELETE CASCADE;

--
-- Name: webhooks webhooks_created_by_key_id_api_keys_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhooks
    ADD CONSTRAINT webhooks_created_by_key_id_api_keys_id_fk FOREIGN KEY (created_by_key_id) REFERENCES public.api_keys(id);

--
-- Name: webhooks webhooks_unit_id_units_id_fk; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhooks
    ADD CONSTRAINT webhooks_unit_id_units_id_fk FOREIGN KEY (unit_id) REFERENCES public.units(id);

--
-- PostgreSQL database dump complete
--
