-- History at 10 million moves: every GET /v1/moves plan reads only what its page needs.
--
-- 1. `sku` + `type` walked one of the two single-column indexes and filtered the other: a composite index
--    gives that pair its own range.
CREATE INDEX moves_by_sku_type ON moves (sku, type, cursor);

-- 2. A time window (`since`, `until`) was read whole through moves_by_time and sorted by cursor. The feed
--    is in cursor order, so the window is turned into a cursor range instead: `move_blocks` keeps, for each
--    block of 4,096 consecutive cursors, the earliest and latest `at` in it (a zone map). A page starts at
--    the first block that can hold a move at or after `since` and ends at the last that can hold one before
--    `until`. When cursor order follows time (live traffic) that skips everything outside the window; when
--    it follows SKU (after a rebuild) every block spans all times, and matching moves are dense in cursor
--    order anyway. Retention leaves a block's bounds wider than its rows, which is always safe.
CREATE TABLE move_blocks (
  block  INTEGER PRIMARY KEY CHECK (block >= 0),
  min_at TEXT    NOT NULL CHECK (length(min_at) = 24),
  max_at TEXT    NOT NULL CHECK (length(max_at) = 24 AND max_at >= min_at)
);

INSERT INTO move_blocks (block, min_at, max_at)
SELECT cursor >> 12, min(at), max(at) FROM moves GROUP BY cursor >> 12;

CREATE TRIGGER moves_block_bounds AFTER INSERT ON moves
BEGIN
  INSERT INTO move_blocks (block, min_at, max_at) VALUES (NEW.cursor >> 12, NEW.at, NEW.at)
  ON CONFLICT (block) DO UPDATE SET
    min_at = min(min_at, excluded.min_at),
    max_at = max(max_at, excluded.max_at);
END;
