-- event_commits numbers transactions that wrote events in commit order; webhook cursors move from transaction ids to those numbers.
CREATE TABLE "event_commits" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "event_commits_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tx_id" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	CONSTRAINT "event_commits_txId_unique" UNIQUE("tx_id")
);
--> statement-breakpoint
ALTER TABLE "webhooks" DROP COLUMN "cursor_tx_id";--> statement-breakpoint
ALTER TABLE "webhooks" ADD COLUMN "cursor_seq" bigint DEFAULT 0 NOT NULL;