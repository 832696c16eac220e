-- Narrow time windows after a rebuild. When D1's cursor order follows SKU (a rebuild replays one SKU's
-- ledger after another), every block of the zone map spans all times, so a narrow window (a few hours of
-- 10 million moves) cannot be turned into a short cursor range, and walking the cursor order finds its
-- moves only far apart. Such a window is small: it is cheaper to read it whole through moves_by_time and
-- sort it. `move_days` counts moves per UTC day (an upper bound), so a query can tell a small window from a
-- large one.
CREATE TABLE move_days (
  day   TEXT    PRIMARY KEY CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  moves INTEGER NOT NULL CHECK (moves >= 0)
) WITHOUT ROWID;

INSERT INTO move_days (day, moves) SELECT at_day, count(*) FROM moves GROUP BY at_day;

CREATE TRIGGER moves_day_count AFTER INSERT ON moves
BEGIN
  INSERT INTO move_days (day, moves) VALUES (NEW.at_day, 1)
  ON CONFLICT (day) DO UPDATE SET moves = moves + 1;
END;

-- Retention removes whole days older than its horizon (no trigger on delete: D1 would count its changes
-- as the delete's own). The day the horizon falls in keeps its count, so a count is an upper bound.

-- A type walk with a time window checks `at` in the index, not in the table.
DROP INDEX moves_by_type;
CREATE INDEX moves_by_type ON moves (type, cursor, at);
