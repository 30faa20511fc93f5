-- Streamed uploads (issue 17): a file's bytes are written as it arrives, in chunks of at most 256 KB,
-- staged outside the item's write transaction, then claimed inside it by the attachment row whose id
-- they carry. A chunk with no attachment row is staged: never listed, never downloaded, removed when
-- its upload fails and swept when a crash left it behind. One table works on PostgreSQL and PGlite
-- alike (large objects would need the server's lo_* functions and their own clean-up).
CREATE TABLE "attachment_chunks" (
  "attachment_id" uuid NOT NULL,
  "seq" integer NOT NULL,
  "bytes" bytea NOT NULL,
  "staged_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "attachment_chunks_pkey" PRIMARY KEY ("attachment_id", "seq"),
  CONSTRAINT "attachment_chunks_seq_check" CHECK (seq >= 0),
  CONSTRAINT "attachment_chunks_size_check" CHECK (octet_length(bytes) BETWEEN 1 AND 262144)
);--> statement-breakpoint
CREATE INDEX "attachment_chunks_staged_idx" ON "attachment_chunks" USING btree ("staged_at");--> statement-breakpoint
-- The files stored before this migration move into chunks of the same size.
INSERT INTO "attachment_chunks" ("attachment_id", "seq", "bytes", "staged_at")
  SELECT a.id, s.i, substring(a.bytes FROM s.i * 262144 + 1 FOR 262144), a.created_at
  FROM "attachments" a, generate_series(0, (octet_length(a.bytes) - 1) / 262144) AS s(i);--> statement-breakpoint
ALTER TABLE "attachments" DROP CONSTRAINT "attachments_byte_size_check";--> statement-breakpoint
ALTER TABLE "attachments" DROP COLUMN "bytes";--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_byte_size_check" CHECK (byte_size > 0);--> statement-breakpoint
-- An attachment claims a whole file: chunks 0..n-1, none missing, their sizes adding up to byte_size.
CREATE FUNCTION attachments_claim_whole_file() RETURNS trigger LANGUAGE plpgsql AS $$
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
--> statement-breakpoint
CREATE TRIGGER attachments_claim_whole_file AFTER INSERT OR UPDATE OF id, byte_size ON attachments
  FOR EACH ROW EXECUTE FUNCTION attachments_claim_whole_file();
--> statement-breakpoint
-- A claimed file never changes: no chunk is added to it, altered or taken out of it (erasure deletes
-- the attachment row, whose trigger below then removes every chunk).
CREATE FUNCTION attachment_chunks_claimed_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM attachments WHERE id = OLD.attachment_id OR (TG_OP = 'UPDATE' AND id = NEW.attachment_id)) THEN
    RAISE EXCEPTION 'attachment % is stored: its bytes cannot change', OLD.attachment_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attachment_chunks_claimed_unchanged';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
--> statement-breakpoint
CREATE TRIGGER attachment_chunks_claimed_unchanged BEFORE UPDATE OR DELETE ON attachment_chunks
  FOR EACH ROW EXECUTE FUNCTION attachment_chunks_claimed_unchanged();
--> statement-breakpoint
CREATE FUNCTION attachment_chunks_not_claimed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM attachments WHERE id = NEW.attachment_id) THEN
    RAISE EXCEPTION 'attachment % is stored: no chunk may be added to it', NEW.attachment_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'attachment_chunks_claimed_unchanged';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER attachment_chunks_not_claimed BEFORE INSERT ON attachment_chunks
  FOR EACH ROW EXECUTE FUNCTION attachment_chunks_not_claimed();
--> statement-breakpoint
-- Deleting an attachment (erasure does, through feedback_items_erase_attachments) takes its bytes.
CREATE FUNCTION attachments_delete_chunks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM attachment_chunks WHERE attachment_id = OLD.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER attachments_delete_chunks AFTER DELETE ON attachments
  FOR EACH ROW EXECUTE FUNCTION attachments_delete_chunks();
--> statement-breakpoint
-- Why an item waits for a person (issue 17): `phrases` (the screen matched words, listed in
-- safeguarding_matches), `unscreened_file` (a voice note, video or picture came from outside staff:
-- the screen reads words only, so a person must look before anything of the item reaches a public
-- surface) or `staff` (flagged by hand). Kept through reviewed and cleared; none only when never flagged.
ALTER TABLE "feedback_items" ADD COLUMN "safeguarding_reason" text;--> statement-breakpoint
UPDATE "feedback_items" SET "safeguarding_reason" = CASE WHEN cardinality(safeguarding_matches) > 0 THEN 'phrases' ELSE 'staff' END
  WHERE safeguarding <> 'none';--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_safeguarding_reason_check" CHECK (
  (safeguarding = 'none') = (safeguarding_reason IS NULL)
  AND (safeguarding_reason IS NULL OR safeguarding_reason IN ('phrases', 'unscreened_file', 'staff'))
);
