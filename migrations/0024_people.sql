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
