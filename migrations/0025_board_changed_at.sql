-- When a unit's board last changed, for the wall screen's "Last changed": set by touchBoards in the
-- same statement that bumps board_version. The board's generatedAt is when its content was built,
-- which moves on a cache eviction, a restart or the midnight roll-over of the figures.
ALTER TABLE "units" ADD COLUMN "board_changed_at" timestamp (3) with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
-- Existing units: the latest write to what their board shows (actions, feedback and its decisions,
-- the panel's recommendations), else when the unit itself last changed. Not a board_version bump,
-- so no board.updated event.
UPDATE "units" u SET "board_changed_at" = greatest(
  u.updated_at,
  (SELECT max(a.updated_at) FROM actions a WHERE a.unit_id = u.id),
  (SELECT max(f.updated_at) FROM feedback_items f WHERE f.unit_id = u.id),
  (SELECT max(r.updated_at) FROM recommendations r WHERE r.unit_id = u.id)
);
