-- Boards are now bumped only on the units written to (ancestors' boards stamp themselves with their
-- subtree's versions), so board.updated is announced for each bumped unit and every ancestor, once.
CREATE OR REPLACE FUNCTION units_board_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, unit_id, subject_id, data)
  SELECT 'board.updated', touched.unit_id, touched.unit_id, jsonb_build_object('unitId', touched.unit_id)
  FROM (
    SELECT DISTINCT a.unit_id, a.depth
    FROM after_rows n
    JOIN before_rows o ON o.id = n.id
    CROSS JOIN LATERAL unnest(n.path) WITH ORDINALITY AS a(unit_id, depth)
    WHERE n.board_version <> o.board_version
  ) touched
  ORDER BY touched.depth, touched.unit_id;
  RETURN NULL;
END
$$;
