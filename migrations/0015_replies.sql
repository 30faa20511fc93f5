-- Replies to the person (DESIGN section 5): an acknowledgement when an item is received and an
-- answer each time it closes, for a person who asked for a reply. A reply is an outbox row, written
-- by a trigger in the transaction that records the status change, whatever code made it; the reply
-- worker sends it later. A reply row holds no address and no words: the worker reads the contact
-- when it sends, and the message is built from public-safe fields, so erasure leaves nothing to send.
ALTER TABLE "units" ADD COLUMN "acknowledgement_target_working_days" integer;
--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_acknowledgement_target_check"
  CHECK ("acknowledgement_target_working_days" BETWEEN 1 AND 30);
--> statement-breakpoint
ALTER TABLE "feedback_items" ADD COLUMN "acknowledge_by" timestamp (3) with time zone;
--> statement-breakpoint
ALTER TABLE "feedback_items" ADD COLUMN "acknowledged_at" timestamp (3) with time zone;
--> statement-breakpoint
CREATE INDEX "feedback_unacknowledged_idx" ON "feedback_items" USING btree ("acknowledge_by")
  WHERE "acknowledged_at" IS NULL;
--> statement-breakpoint
CREATE TABLE "replies" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "feedback_id" uuid NOT NULL,
  -- The status change the reply tells of: received (an acknowledgement) or a close (an answer).
  "transition_id" bigint NOT NULL,
  "kind" text NOT NULL,
  "channel" text NOT NULL,
  "status" text DEFAULT 'queued' NOT NULL,
  -- Why a person must hand this reply over: the needs that cannot be met by sending it.
  "support_needed" text,
  "easy_read" boolean DEFAULT false NOT NULL,
  "large_print" boolean DEFAULT false NOT NULL,
  "attempts" integer DEFAULT 0 NOT NULL,
  "next_attempt_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  "lease_token" uuid,
  "lease_until" timestamp (3) with time zone,
  "created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  "sent_at" timestamp (3) with time zone,
  "handed_over_at" timestamp (3) with time zone,
  "last_error" text,
  -- The provider's id for what it accepted (a GOV.UK Notify notification id, an SMTP Message-ID).
  "provider_reference" text,
  CONSTRAINT "replies_kind_check" CHECK ("kind" IN ('acknowledgement', 'answer')),
  CONSTRAINT "replies_channel_check" CHECK ("channel" IN ('email', 'sms', 'letter', 'in_person')),
  CONSTRAINT "replies_status_check"
    CHECK ("status" IN ('queued', 'sent', 'handed_over', 'failed', 'undeliverable', 'cancelled')),
  CONSTRAINT "replies_sent_check" CHECK (("status" = 'sent') = ("sent_at" IS NOT NULL)),
  CONSTRAINT "replies_handed_over_check" CHECK (("status" = 'handed_over') = ("handed_over_at" IS NOT NULL)),
  CONSTRAINT "replies_attempts_check" CHECK ("attempts" >= 0),
  CONSTRAINT "replies_transitionId_unique" UNIQUE ("transition_id"),
  CONSTRAINT "replies_feedback_id_feedback_items_id_fk" FOREIGN KEY ("feedback_id") REFERENCES "feedback_items"("id"),
  CONSTRAINT "replies_transition_id_feedback_transitions_id_fk" FOREIGN KEY ("transition_id") REFERENCES "feedback_transitions"("id")
);
--> statement-breakpoint
CREATE INDEX "replies_feedback_idx" ON "replies" USING btree ("feedback_id", "created_at", "id");
--> statement-breakpoint
CREATE INDEX "replies_due_idx" ON "replies" USING btree ("next_attempt_at")
  WHERE "status" = 'queued' AND "channel" <> 'in_person';
--> statement-breakpoint
-- "Did this answer you?": one answer per close of an item (so one per answer reply).
CREATE TABLE "follow_ups" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "feedback_id" uuid NOT NULL,
  "closing_transition_id" bigint NOT NULL,
  "answer" text NOT NULL,
  -- Private, like the item's text; removed by erasure.
  "comment" text,
  "answered_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "follow_ups_answer_check" CHECK ("answer" IN ('yes', 'partly', 'no')),
  CONSTRAINT "follow_ups_closingTransitionId_unique" UNIQUE ("closing_transition_id"),
  CONSTRAINT "follow_ups_feedback_id_feedback_items_id_fk" FOREIGN KEY ("feedback_id") REFERENCES "feedback_items"("id"),
  CONSTRAINT "follow_ups_closing_transition_id_feedback_transitions_id_fk" FOREIGN KEY ("closing_transition_id") REFERENCES "feedback_transitions"("id")
);
--> statement-breakpoint
CREATE INDEX "follow_ups_feedback_idx" ON "follow_ups" USING btree ("feedback_id", "answered_at");
--> statement-breakpoint
-- What a reply needs that sending cannot give (NHS Accessible Information Standard): a person
-- must hand it over. Null when the reply can be sent as asked.
CREATE FUNCTION reply_support_needed(contact jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT nullif(concat_ws('; ',
    CASE WHEN contact -> 'communicationNeeds' @> '["bsl"]' THEN 'British Sign Language (BSL)' END,
    CASE WHEN contact -> 'communicationNeeds' @> '["interpreter"]' THEN 'an interpreter' END,
    CASE WHEN contact -> 'communicationNeeds' @> '["braille"]' THEN 'Braille' END,
    CASE WHEN contact -> 'communicationNeeds' @> '["audio"]' THEN 'audio' END,
    CASE WHEN lower(split_part(coalesce(contact ->> 'language', 'en'), '-', 1)) <> 'en'
      THEN 'language: ' || (contact ->> 'language') END
  ), '')
$$;
--> statement-breakpoint
CREATE FUNCTION feedback_transitions_queue_replies() RETURNS trigger LANGUAGE plpgsql AS $$
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
--> statement-breakpoint
CREATE TRIGGER feedback_transitions_queue_replies AFTER INSERT ON feedback_transitions
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION feedback_transitions_queue_replies();
--> statement-breakpoint
-- acknowledgedAt: the first staff triage (the first move out of received), unless a reply came first.
CREATE FUNCTION feedback_transitions_acknowledge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE feedback_items f SET acknowledged_at = t.at
  FROM inserted t
  WHERE f.id = t.feedback_id AND t.from_status = 'received' AND f.acknowledged_at IS NULL;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_transitions_acknowledge AFTER INSERT ON feedback_transitions
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION feedback_transitions_acknowledge();
--> statement-breakpoint
-- ... or the first reply sent or handed over, whichever is first.
CREATE FUNCTION replies_acknowledge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE feedback_items SET acknowledged_at = coalesce(NEW.sent_at, NEW.handed_over_at)
  WHERE id = NEW.feedback_id
    AND (acknowledged_at IS NULL OR acknowledged_at > coalesce(NEW.sent_at, NEW.handed_over_at));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER replies_acknowledge AFTER UPDATE OF status ON replies
  FOR EACH ROW WHEN (NEW.status IN ('sent', 'handed_over') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION replies_acknowledge();
--> statement-breakpoint
-- Erasure leaves nothing to send and nothing private: queued replies are cancelled, provider
-- errors (which can quote an address) and follow-up comments removed.
CREATE FUNCTION feedback_items_erase_replies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE replies SET status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
    last_error = NULL, lease_token = NULL, lease_until = NULL
  WHERE feedback_id = NEW.id;
  UPDATE follow_ups SET comment = NULL WHERE feedback_id = NEW.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_items_erase_replies AFTER UPDATE OF erased_at ON feedback_items
  FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL)
  EXECUTE FUNCTION feedback_items_erase_replies();
--> statement-breakpoint
ALTER TABLE "events" DROP CONSTRAINT "events_type_check";
--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_type_check" CHECK (type in ('feedback.received', 'feedback.updated', 'feedback.closed', 'feedback.reopened', 'feedback.follow_up', 'action.created', 'action.updated', 'action.completed', 'action.cancelled', 'board.updated'));
--> statement-breakpoint
-- feedback.follow_up: the answer, never the comment.
CREATE FUNCTION follow_ups_events() RETURNS trigger LANGUAGE plpgsql AS $$
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
--> statement-breakpoint
CREATE TRIGGER follow_ups_events AFTER INSERT ON follow_ups
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION follow_ups_events();
