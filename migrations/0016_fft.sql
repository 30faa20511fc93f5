-- The Friends and Family Test (FFT): the item carries the answer to "Overall, how was your experience
-- of our service?" and how it was collected; units carry their NHS ODS code for the monthly return.
ALTER TABLE "feedback_items" ADD COLUMN "fft_rating" text;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD COLUMN "collection_mode" text;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_fft_rating_check" CHECK (fft_rating in ('very_good', 'good', 'neither_good_nor_poor', 'poor', 'very_poor', 'dont_know'));--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_collection_mode_check" CHECK (collection_mode in ('sms', 'kiosk', 'online', 'paper', 'telephone', 'face_to_face', 'other'));--> statement-breakpoint
-- A rating alone is a valid FFT response: the free text may be absent when a rating is given.
ALTER TABLE "feedback_items" DROP CONSTRAINT "feedback_text_check";--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_text_check" CHECK (text is not null or erased_at is not null or fft_rating is not null);--> statement-breakpoint
-- Every value an item's rating and collection mode have held, from when it held it: the FFT report
-- rebuilds any past moment from it (`asOf`), so a correction by PATCH never changes a past run.
CREATE TABLE "feedback_fft_history" (
  "id" bigserial PRIMARY KEY NOT NULL,
  "feedback_id" uuid NOT NULL REFERENCES "feedback_items"("id"),
  "fft_rating" text,
  "collection_mode" text,
  "at" timestamp (6) with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE INDEX "feedback_fft_history_latest_idx" ON "feedback_fft_history" USING btree ("feedback_id", "at" DESC, "id" DESC, "fft_rating", "collection_mode");--> statement-breakpoint
-- Written by the database in the write's own transaction, so no code path can change a rating
-- without its history; the history is never rewritten.
CREATE FUNCTION feedback_fft_history_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO feedback_fft_history (feedback_id, fft_rating, collection_mode)
  SELECT n.id, n.fft_rating, n.collection_mode FROM inserted n
  WHERE n.fft_rating IS NOT NULL OR n.collection_mode IS NOT NULL
  ORDER BY n.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_fft_history_inserted AFTER INSERT ON feedback_items
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION feedback_fft_history_inserted();
--> statement-breakpoint
CREATE FUNCTION feedback_fft_history_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO feedback_fft_history (feedback_id, fft_rating, collection_mode)
  SELECT n.id, n.fft_rating, n.collection_mode
  FROM after_rows n JOIN before_rows o ON o.id = n.id
  WHERE n.fft_rating IS DISTINCT FROM o.fft_rating OR n.collection_mode IS DISTINCT FROM o.collection_mode
  ORDER BY n.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_fft_history_updated AFTER UPDATE ON feedback_items
  REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
  FOR EACH STATEMENT EXECUTE FUNCTION feedback_fft_history_updated();
--> statement-breakpoint
CREATE FUNCTION feedback_fft_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'FFT rating history is append-only: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_fft_history_append_only BEFORE UPDATE OR DELETE ON feedback_fft_history
  FOR EACH ROW EXECUTE FUNCTION feedback_fft_history_append_only();
--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "ods_code" text;--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_ods_code_unique" UNIQUE("ods_code");--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_ods_code_check" CHECK (ods_code ~ '^[A-Z0-9]{3,6}$');
