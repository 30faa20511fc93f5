-- Items of one kind newest first, for a list filtered by kind (complaints about food): through the
-- newest-first index of every kind a page read about 3,900 items to keep 51 at 1M items, through this
-- one the complaints only (about 560).
CREATE INDEX "feedback_kind_received_idx" ON "feedback_items" USING btree ("kind","received_at" DESC NULLS LAST,"id" DESC NULLS LAST);
