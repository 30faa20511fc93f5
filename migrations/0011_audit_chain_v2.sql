-- Audit chain versions 2 and 3. Version 1 joined the fields with '|', so
-- ('staff|api_key', 'x') and ('staff', 'api_key|x') hashed alike. From here every field is
-- length-prefixed; version 3 keys the link with HMAC-SHA256 under AUDIT_HMAC_KEY, which the service
-- hands each of its sessions (wedid.audit_hmac_key) and the database never stores. Existing rows keep
-- version 1 and stay verifiable with the function they were made with.
ALTER TABLE "audit_events" ADD COLUMN "chain_version" smallint DEFAULT 1 NOT NULL;
--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "chain_version" SET DEFAULT 2;
--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_chain_version_check" CHECK (chain_version in (1, 2, 3));
--> statement-breakpoint
-- A field as its UTF-8 length (4 bytes, big-endian) and bytes; NULL as ffffffff, apart from ''.
CREATE FUNCTION audit_field(value text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN value IS NULL THEN decode('ffffffff', 'hex')
    ELSE int4send(octet_length(convert_to(value, 'UTF8'))) || convert_to(value, 'UTF8') END
$$;
--> statement-breakpoint
-- What a version 2 or 3 link covers: the version, the link before and every stored field, each
-- length-prefixed, so no two different events encode alike.
CREATE FUNCTION audit_event_message(
  chain_version smallint, prev_hash text, seq bigint, occurred_at timestamptz, actor_key_id uuid,
  actor_name text, entity_type text, entity_id text, action text, details jsonb
) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT audit_field(chain_version::text) || audit_field(prev_hash) || audit_field(seq::text)
    || audit_field(to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
    || audit_field(actor_key_id::text) || audit_field(actor_name) || audit_field(entity_type)
    || audit_field(entity_id) || audit_field(action) || audit_field(details::text)
$$;
--> statement-breakpoint
-- HMAC-SHA256 (RFC 2104) from the built-in sha256(), so no extension is needed on PostgreSQL or PGlite.
CREATE FUNCTION audit_hmac(key bytea, message bytea) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
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
--> statement-breakpoint
-- The link of an event as its version defines it. Version 3 reads the key from this session only:
-- without it the link is NULL, so keyed rows never verify on a session that lacks the key.
CREATE FUNCTION audit_event_link(
  chain_version smallint, prev_hash text, seq bigint, occurred_at timestamptz, actor_key_id uuid,
  actor_name text, entity_type text, entity_id text, action text, details jsonb
) RETURNS text LANGUAGE sql STABLE AS $$
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
--> statement-breakpoint
-- The writer no longer chooses the version: keyed when this session holds the key, else version 2.
CREATE OR REPLACE FUNCTION audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
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
--> statement-breakpoint
-- Grants for running the service as a role that may read and append audit events but not change,
-- delete, truncate or alter them (only the owner, or a superuser, can disable triggers). Run by the
-- owner of the tables after each migration: select wedid_grant_service_role('wedid_service');
CREATE FUNCTION wedid_grant_service_role(service_role name) RETURNS void LANGUAGE plpgsql AS $$
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
