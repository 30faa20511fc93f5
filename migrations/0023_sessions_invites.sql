-- People in a browser (issue 19, part 4): invites that sign a lived-experience reviewer in without a
-- password, and the server-side sessions a signed-in person holds (reused by the staff console).
-- Only hashes of the invite token and of the session id are stored, so a copy of the database
-- signs no one in.
CREATE TABLE "review_invites" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "token_hash" text NOT NULL,
  "name" text,
  "unit_id" uuid NOT NULL REFERENCES "units"("id"),
  "created_by_key_id" uuid REFERENCES "api_keys"("id"),
  "created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  "expires_at" timestamp (3) with time zone NOT NULL,
  "used_at" timestamp (3) with time zone,
  "revoked_at" timestamp (3) with time zone,
  CONSTRAINT "review_invites_token_hash_unique" UNIQUE ("token_hash"),
  CONSTRAINT "review_invites_expiry_check" CHECK (expires_at > created_at),
  CONSTRAINT "review_invites_used_in_time_check" CHECK (used_at IS NULL OR used_at <= expires_at),
  CONSTRAINT "review_invites_name_check" CHECK (name IS NULL OR length(btrim(name)) BETWEEN 1 AND 200)
);--> statement-breakpoint
CREATE INDEX "review_invites_created_idx" ON "review_invites" USING btree ("created_at", "id");--> statement-breakpoint
-- An invite is spent once and revoked for good: neither may be undone, and a revoked one is not spent.
CREATE FUNCTION review_invites_one_way() RETURNS trigger LANGUAGE plpgsql AS $$
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
--> statement-breakpoint
CREATE TRIGGER review_invites_one_way BEFORE UPDATE ON review_invites
  FOR EACH ROW EXECUTE FUNCTION review_invites_one_way();
--> statement-breakpoint
-- A session belongs to a subject (`review_invite` now, a person of the staff console later) and
-- carries the principal it resolves to. It ends at whichever comes first: idle expiry (slid forward
-- on use), absolute expiry, sign-out or revocation (the row is deleted).
CREATE TABLE "sessions" (
  "id_hash" text PRIMARY KEY NOT NULL,
  "subject_kind" text NOT NULL,
  "subject_id" uuid NOT NULL,
  "data" jsonb DEFAULT '{}'::jsonb NOT NULL,
  "created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  "idle_expires_at" timestamp (3) with time zone NOT NULL,
  "absolute_expires_at" timestamp (3) with time zone NOT NULL,
  CONSTRAINT "sessions_subject_kind_check" CHECK (subject_kind in ('review_invite')),
  CONSTRAINT "sessions_expiry_check" CHECK (idle_expires_at <= absolute_expires_at AND absolute_expires_at > created_at)
);--> statement-breakpoint
CREATE INDEX "sessions_subject_idx" ON "sessions" USING btree ("subject_kind", "subject_id");--> statement-breakpoint
CREATE INDEX "sessions_absolute_expires_idx" ON "sessions" USING btree ("absolute_expires_at");--> statement-breakpoint
-- Revoking an invite ends every session it started, whoever revokes it and however.
CREATE FUNCTION review_invites_end_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sessions WHERE subject_kind = 'review_invite' AND subject_id = NEW.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER review_invites_end_sessions AFTER UPDATE OF revoked_at ON review_invites
  FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION review_invites_end_sessions();
--> statement-breakpoint
-- A reviewer session can only start from a live invite, and only once.
CREATE FUNCTION sessions_subject_live() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.subject_kind = 'review_invite' AND NOT EXISTS (
    SELECT 1 FROM review_invites WHERE id = NEW.subject_id AND revoked_at IS NULL AND used_at IS NOT NULL
  ) THEN
    RAISE EXCEPTION 'invite % is not a spent, unrevoked invite: no session may hang from it', NEW.subject_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'sessions_subject_live';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER sessions_subject_live BEFORE INSERT ON sessions
  FOR EACH ROW EXECUTE FUNCTION sessions_subject_live();
