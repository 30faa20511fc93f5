-- Voice notes, videos and pictures (issue 17, part 3): the bytes of a file attached to an item, kept
-- in PostgreSQL so the embedded mode needs nothing else. Private: never on a public surface. The
-- media type is what the bytes say (sniffed at upload), never the file's name or the client's header.
CREATE TABLE "attachments" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "feedback_id" uuid NOT NULL REFERENCES "feedback_items"("id"),
  "media_type" text NOT NULL,
  "byte_size" integer NOT NULL,
  "bytes" bytea NOT NULL,
  "created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  "created_by_key_id" uuid REFERENCES "api_keys"("id"),
  CONSTRAINT "attachments_media_type_check" CHECK (media_type ~ '^(audio|video|image)/[a-z0-9.+-]+$'),
  CONSTRAINT "attachments_byte_size_check" CHECK (byte_size > 0 AND byte_size = octet_length(bytes))
);--> statement-breakpoint
CREATE INDEX "attachments_feedback_idx" ON "attachments" USING btree ("feedback_id", "created_at", "id");--> statement-breakpoint
-- Erasure removes the files with the words: a voice note is the person's words.
CREATE FUNCTION feedback_items_erase_attachments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM attachments WHERE feedback_id = NEW.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_items_erase_attachments AFTER UPDATE OF erased_at ON feedback_items
  FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL)
  EXECUTE FUNCTION feedback_items_erase_attachments();
--> statement-breakpoint
-- An erased item keeps no file: none may be attached after erasure.
CREATE FUNCTION attachments_not_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM feedback_items WHERE id = NEW.feedback_id AND erased_at IS NOT NULL) THEN
    RAISE EXCEPTION 'feedback % is erased: no attachment may be added', NEW.feedback_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attachments_not_erased';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER attachments_not_erased BEFORE INSERT ON attachments
  FOR EACH ROW EXECUTE FUNCTION attachments_not_erased();
--> statement-breakpoint
-- A voice note or a picture alone is feedback too: an item says something when it has text, an FFT
-- rating or an attachment. The attachment is written in the item's own transaction, after it, so
-- the rule is checked at commit (a deferred constraint trigger) rather than by a row CHECK.
ALTER TABLE "feedback_items" DROP CONSTRAINT "feedback_text_check";--> statement-breakpoint
CREATE FUNCTION feedback_items_says_something() RETURNS trigger LANGUAGE plpgsql AS $$
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
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER feedback_items_says_something AFTER INSERT OR UPDATE ON feedback_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION feedback_items_says_something();
