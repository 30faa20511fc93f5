-- The first schema: units, API keys, feedback items with their equality answers and transitions, actions and their links, decisions, themes, the audit trail and idempotency keys.
CREATE TABLE "action_feedback" (
	"action_id" uuid NOT NULL,
	"feedback_id" uuid NOT NULL,
	"linked_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "action_feedback_action_id_feedback_id_pk" PRIMARY KEY("action_id","feedback_id")
);
--> statement-breakpoint
CREATE TABLE "actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"status" text DEFAULT 'planned' NOT NULL,
	"planned_for" date,
	"owner" text,
	"coproduction_level" text DEFAULT 'none' NOT NULL,
	"lived_experience_count" integer DEFAULT 0 NOT NULL,
	"outcome" text,
	"completed_at" timestamp (3) with time zone,
	"cancelled_at" timestamp (3) with time zone,
	"cancel_reason" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "actions_status_check" CHECK (status in ('planned', 'in_progress', 'completed', 'cancelled')),
	CONSTRAINT "actions_coproduction_check" CHECK (coproduction_level in ('none', 'informing', 'consulting', 'involving', 'co_producing')),
	CONSTRAINT "actions_lived_experience_check" CHECK ("actions"."lived_experience_count" >= 0),
	CONSTRAINT "actions_title_check" CHECK (btrim("actions"."title") <> ''),
	CONSTRAINT "actions_completed_check" CHECK (("actions"."status" = 'completed') = ("actions"."completed_at" is not null and coalesce(btrim("actions"."outcome"), '') <> '')),
	CONSTRAINT "actions_cancelled_check" CHECK (("actions"."status" = 'cancelled') = ("actions"."cancelled_at" is not null and coalesce(btrim("actions"."cancel_reason"), '') <> ''))
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"unit_id" uuid,
	"prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"bootstrap" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp (3) with time zone,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "api_keys_secretHash_unique" UNIQUE("secret_hash"),
	CONSTRAINT "api_keys_role_check" CHECK (role in ('admin', 'staff', 'intake', 'auditor', 'display'))
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"seq" bigint PRIMARY KEY DEFAULT 0 NOT NULL,
	"occurred_at" timestamp (6) with time zone DEFAULT now() NOT NULL,
	"actor_key_id" uuid,
	"actor_name" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"action" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"prev_hash" text DEFAULT '' NOT NULL,
	"hash" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"feedback_id" uuid NOT NULL,
	"reason_code" text NOT NULL,
	"explanation" text NOT NULL,
	"referred_to" text,
	"decided_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"decided_by_key_id" uuid,
	"superseded_at" timestamp (3) with time zone,
	CONSTRAINT "decisions_reason_check" CHECK (reason_code in ('already_in_place', 'not_feasible', 'outside_our_control', 'clinical_safety', 'conflicts_with_other_feedback', 'no_resources', 'duplicate', 'referred_elsewhere', 'other')),
	CONSTRAINT "decisions_explanation_check" CHECK (btrim("decisions"."explanation") <> '')
);
--> statement-breakpoint
CREATE TABLE "feedback_equality" (
	"feedback_id" uuid PRIMARY KEY NOT NULL,
	"age_band" text,
	"sex" text,
	"gender_same_as_birth" text,
	"ethnic_group" text,
	"religion" text,
	"sexual_orientation" text,
	"disability" text,
	"pregnancy_maternity" text,
	"marriage_civil_partnership" text
);
--> statement-breakpoint
CREATE TABLE "feedback_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"text" text,
	"you_said" text,
	"publish_consent" boolean DEFAULT false NOT NULL,
	"kind" text,
	"channel" text,
	"submitter_role" text DEFAULT 'not_stated' NOT NULL,
	"format" text DEFAULT 'written' NOT NULL,
	"themes" text[] DEFAULT '{}'::text[] NOT NULL,
	"external_system" text,
	"external_id" text,
	"contact" jsonb,
	"received_at" timestamp (3) with time zone NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"closed_at" timestamp (3) with time zone,
	"status" text DEFAULT 'received' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by_key_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"erased_at" timestamp (3) with time zone,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', coalesce(text, '') || ' ' || coalesce(you_said, ''))) STORED,
	CONSTRAINT "feedback_items_reference_unique" UNIQUE("reference"),
	CONSTRAINT "feedback_status_check" CHECK (status in ('received', 'in_review', 'planned', 'actioned', 'not_actioned')),
	CONSTRAINT "feedback_kind_check" CHECK (kind in ('compliment', 'suggestion', 'concern', 'complaint', 'question')),
	CONSTRAINT "feedback_channel_check" CHECK (channel in ('survey', 'community_meeting', 'complaints_process', 'pals', 'conversation', 'advocate', 'carer_forum', 'suggestion_box', 'online', 'fft', 'kiosk', 'other')),
	CONSTRAINT "feedback_submitter_role_check" CHECK (submitter_role in ('patient', 'carer', 'family', 'staff', 'expert_by_experience', 'advocate', 'community_organisation', 'not_stated')),
	CONSTRAINT "feedback_format_check" CHECK (format in ('written', 'verbal', 'survey', 'easy_read', 'voice', 'video', 'observed', 'other')),
	CONSTRAINT "feedback_closed_at_check" CHECK (("feedback_items"."status" in ('actioned', 'not_actioned')) = ("feedback_items"."closed_at" is not null)),
	CONSTRAINT "feedback_text_check" CHECK ("feedback_items"."text" is not null or "feedback_items"."erased_at" is not null),
	CONSTRAINT "feedback_external_ref_check" CHECK (("feedback_items"."external_system" is null) = ("feedback_items"."external_id" is null)),
	CONSTRAINT "feedback_due_check" CHECK ("feedback_items"."due_at" >= "feedback_items"."received_at")
);
--> statement-breakpoint
CREATE TABLE "feedback_transitions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"feedback_id" uuid NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"at" timestamp (6) with time zone DEFAULT now() NOT NULL,
	"action_id" uuid,
	"decision_id" uuid,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"api_key_id" uuid NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response_status" integer,
	"response_body" jsonb,
	"response_headers" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_api_key_id_key_pk" PRIMARY KEY("api_key_id","key")
);
--> statement-breakpoint
CREATE TABLE "themes" (
	"code" text PRIMARY KEY NOT NULL,
	"label" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"retired_at" timestamp (3) with time zone,
	CONSTRAINT "themes_code_check" CHECK ("themes"."code" ~ '^[a-z][a-z0-9_]{0,47}$')
);
--> statement-breakpoint
CREATE TABLE "units" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"type" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"parent_id" uuid,
	"path" uuid[] NOT NULL,
	"response_target_days" integer,
	"board_enabled" boolean DEFAULT true NOT NULL,
	"board_easy_read" boolean DEFAULT false NOT NULL,
	"board_version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "units_code_unique" UNIQUE("code"),
	CONSTRAINT "units_type_check" CHECK (type in ('trust', 'site', 'ward', 'service', 'team')),
	CONSTRAINT "units_response_target_check" CHECK ("units"."response_target_days" between 1 and 365),
	CONSTRAINT "units_code_check" CHECK ("units"."code" ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
	CONSTRAINT "units_trust_root_check" CHECK (("units"."type" = 'trust') = ("units"."parent_id" is null))
);
--> statement-breakpoint
ALTER TABLE "action_feedback" ADD CONSTRAINT "action_feedback_action_id_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."actions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "action_feedback" ADD CONSTRAINT "action_feedback_feedback_id_feedback_items_id_fk" FOREIGN KEY ("feedback_id") REFERENCES "public"."feedback_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actions" ADD CONSTRAINT "actions_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_feedback_id_feedback_items_id_fk" FOREIGN KEY ("feedback_id") REFERENCES "public"."feedback_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_decided_by_key_id_api_keys_id_fk" FOREIGN KEY ("decided_by_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_equality" ADD CONSTRAINT "feedback_equality_feedback_id_feedback_items_id_fk" FOREIGN KEY ("feedback_id") REFERENCES "public"."feedback_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_created_by_key_id_api_keys_id_fk" FOREIGN KEY ("created_by_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_transitions" ADD CONSTRAINT "feedback_transitions_feedback_id_feedback_items_id_fk" FOREIGN KEY ("feedback_id") REFERENCES "public"."feedback_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_parent_id_units_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "action_feedback_feedback_idx" ON "action_feedback" USING btree ("feedback_id");--> statement-breakpoint
CREATE INDEX "actions_unit_idx" ON "actions" USING btree ("unit_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "actions_completed_idx" ON "actions" USING btree ("unit_id","completed_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "api_keys_created_idx" ON "api_keys" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "audit_entity_idx" ON "audit_events" USING btree ("entity_type","entity_id","seq");--> statement-breakpoint
CREATE INDEX "audit_actor_idx" ON "audit_events" USING btree ("actor_key_id","seq");--> statement-breakpoint
CREATE INDEX "audit_time_idx" ON "audit_events" USING btree ("occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "decisions_current_unique" ON "decisions" USING btree ("feedback_id") WHERE superseded_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "feedback_external_ref_unique" ON "feedback_items" USING btree ("external_system","external_id");--> statement-breakpoint
CREATE INDEX "feedback_unit_received_idx" ON "feedback_items" USING btree ("unit_id","received_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "feedback_received_idx" ON "feedback_items" USING btree ("received_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "feedback_open_due_idx" ON "feedback_items" USING btree ("due_at") WHERE closed_at is null;--> statement-breakpoint
CREATE INDEX "feedback_themes_gin" ON "feedback_items" USING gin ("themes");--> statement-breakpoint
CREATE INDEX "feedback_search_gin" ON "feedback_items" USING gin ("search");--> statement-breakpoint
CREATE INDEX "feedback_created_by_idx" ON "feedback_items" USING btree ("created_by_key_id");--> statement-breakpoint
CREATE INDEX "feedback_transitions_item_idx" ON "feedback_transitions" USING btree ("feedback_id","at");--> statement-breakpoint
CREATE INDEX "units_path_gin" ON "units" USING gin ("path");--> statement-breakpoint
CREATE INDEX "units_parent_idx" ON "units" USING btree ("parent_id");