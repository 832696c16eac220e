-- Narrow time windows after a rebuild. When D1's cursor order follows SKU (a rebuild replays one SKU's
-- ledger after another), every block of the zone map spans all times, so a narrow window (a few hours of
-- 10 million moves) cannot be turned into a short cursor range, and walking the cursor order finds its
-- moves only far apart. Such a window is small: it is cheaper to read it whole through moves_by_time and
-- sort it. `move_hours` counts moves per UTC hour (an upper bound), so a query can tell a small window from a
-- large one: a day is too coarse (10 million moves over 90 days are 110,000 a day).
CREATE TABLE move_hours (
  hour  TEXT    PRIMARY KEY CHECK (length(hour) = 13),
  moves INTEGER NOT NULL CHECK (moves >= 0)
) WITHOUT ROWID;

INSERT INTO move_hours (hour, moves) SELECT substr(at, 1, 13), count(*) FROM moves GROUP BY substr(at, 1, 13);

CREATE TRIGGER moves_hour_count AFTER INSERT ON moves
BEGIN
  INSERT INTO move_hours (hour, moves) VALUES (substr(NEW.at, 1, 13), 1)
  ON CONFLICT (hour) DO UPDATE SET moves = moves + 1;
END;

-- Retention removes whole hours older than its horizon (no trigger on delete: D1 would count its changes
-- as the delete's own). The hour the horizon falls in keeps its count, so a count is an upper bound.

-- A type walk with a time window checks `at` in the index, and a window read through the time index checks
-- `type` there: neither reads the table for a move it does not return.
DROP INDEX moves_by_type;
CREATE INDEX moves_by_type ON moves (type, cursor, at);
DROP INDEX moves_by_time;
CREATE INDEX moves_by_time ON moves (at, cursor, type);
