-- The staff console's people (issue 20, part 1): who may sign in with the trust's identity provider,
-- with which role and unit scope, matched by an email address or by a group the provider names.
-- Emails are kept in lower case, so the one unique index compares them case-insensitively.
CREATE TABLE "people" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "email" text,
  "idp_group" text,
  "role" text NOT NULL,
  "unit_id" uuid REFERENCES "units"("id"),
  "created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  "updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "people_role_check" CHECK (role in ('admin', 'staff', 'auditor')),
  CONSTRAINT "people_one_match_check" CHECK ((email IS NULL) <> (idp_group IS NULL)),
  CONSTRAINT "people_email_check" CHECK (email IS NULL OR (email = lower(email) AND length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$')),
  CONSTRAINT "people_group_check" CHECK (idp_group IS NULL OR (idp_group = btrim(idp_group) AND length(idp_group) BETWEEN 1 AND 256))
);--> statement-breakpoint
CREATE UNIQUE INDEX "people_email_unique" ON "people" USING btree ("email") WHERE email IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "people_group_unique" ON "people" USING btree ("idp_group") WHERE idp_group IS NOT NULL;--> statement-breakpoint
CREATE INDEX "people_created_idx" ON "people" USING btree ("created_at", "id");--> statement-breakpoint
-- A sign-in under way: the browser holds a random id in a short-lived cookie, the service keeps its
-- hash with the OpenID Connect state, nonce and PKCE verifier. The callback deletes the row as it
-- reads it, so each attempt completes at most once.
CREATE TABLE "sign_in_attempts" (
  "id_hash" text PRIMARY KEY NOT NULL,
  "state" text NOT NULL,
  "nonce" text NOT NULL,
  "code_verifier" text NOT NULL,
  "created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  "expires_at" timestamp (3) with time zone NOT NULL,
  CONSTRAINT "sign_in_attempts_expiry_check" CHECK (expires_at > created_at)
);--> statement-breakpoint
CREATE INDEX "sign_in_attempts_expires_idx" ON "sign_in_attempts" USING btree ("expires_at");
--> statement-breakpoint
-- A console session hangs from the person row it signed in through (migration 0023's sessions).
ALTER TABLE "sessions" DROP CONSTRAINT "sessions_subject_kind_check";--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_subject_kind_check" CHECK (subject_kind in ('review_invite', 'person'));--> statement-breakpoint
-- A session can only start from a live invite (spent once) or from a person row that exists.
CREATE OR REPLACE FUNCTION sessions_subject_live() RETURNS trigger LANGUAGE plpgsql AS $$
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
--> statement-breakpoint
-- Removing a person row, or changing what it matches or grants, ends every session it started,
-- whoever changes it and however: no one keeps a role an admin has taken away.
CREATE FUNCTION people_end_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sessions WHERE subject_kind = 'person' AND subject_id = OLD.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER people_end_sessions_on_delete AFTER DELETE ON people
  FOR EACH ROW EXECUTE FUNCTION people_end_sessions();
--> statement-breakpoint
CREATE TRIGGER people_end_sessions_on_change AFTER UPDATE OF email, idp_group, role, unit_id ON people
  FOR EACH ROW WHEN (OLD.email IS DISTINCT FROM NEW.email OR OLD.idp_group IS DISTINCT FROM NEW.idp_group
    OR OLD.role IS DISTINCT FROM NEW.role OR OLD.unit_id IS DISTINCT FROM NEW.unit_id)
  EXECUTE FUNCTION people_end_sessions();
--> statement-breakpoint
-- Where no identity provider is configured, an admin invites a person by a one-time link instead:
-- only its token's hash is kept, it is spent once, and it goes with the person row it signs in as.
CREATE TABLE "person_invites" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "token_hash" text NOT NULL,
  "person_id" uuid NOT NULL REFERENCES "people"("id") ON DELETE CASCADE,
  "created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  "expires_at" timestamp (3) with time zone NOT NULL,
  "used_at" timestamp (3) with time zone,
  CONSTRAINT "person_invites_token_hash_unique" UNIQUE ("token_hash"),
  CONSTRAINT "person_invites_expiry_check" CHECK (expires_at > created_at),
  CONSTRAINT "person_invites_used_in_time_check" CHECK (used_at IS NULL OR used_at <= expires_at)
);--> statement-breakpoint
CREATE INDEX "person_invites_person_idx" ON "person_invites" USING btree ("person_id");
