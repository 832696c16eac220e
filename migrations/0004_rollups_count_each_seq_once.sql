-- Rollups count each move exactly once, whatever is replayed, and raw moves past retention never return.
--
-- Before: a trigger on `moves` counted every row actually inserted. Retention deletes old rows, so a
-- rebuild re-inserted them and counted them again, and they came back into GET /v1/moves.
-- Now the retention cron records the horizon it deleted up to, and the projection inserts into the view
-- `projected_moves`, whose trigger
--   1. keeps the raw move only when it is not older than that horizon, and
--   2. counts it into `daily_rollups` only when its seq is the next one this SKU's rollups have not
--      counted (`rollup_progress.counted_seq + 1`). Seqs are gapless and each SKU projects in seq order,
--      so a replayed or pruned move is never counted twice, and a rebuild after a reset counts each once.

-- Raw moves before this instant were deleted by retention: they are never written to `moves` again.
CREATE TABLE retention_horizon (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  horizon TEXT    NOT NULL CHECK (length(horizon) = 24)
);

CREATE TABLE rollup_progress (
  sku         TEXT    PRIMARY KEY REFERENCES stock (sku),
  -- Every move of this SKU up to this seq is counted in daily_rollups.
  counted_seq INTEGER NOT NULL CHECK (counted_seq >= 1)
) WITHOUT ROWID;

-- Every move projected so far was counted by the old trigger, up to the stock row's version.
INSERT INTO rollup_progress (sku, counted_seq) SELECT sku, version FROM stock;

DROP TRIGGER moves_roll_up;

-- What the projection writes: a move as the ledger recorded it.
CREATE VIEW projected_moves AS
  SELECT sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id, order_id,
         reason, ref, at
  FROM moves WHERE 0;

CREATE TRIGGER project_move INSTEAD OF INSERT ON projected_moves
BEGIN
  INSERT INTO moves (sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id,
                     order_id, reason, ref, at, at_day, projected_at)
  SELECT NEW.sku, NEW.seq, NEW.type, NEW.quantity, NEW.on_hand, NEW.reserved, NEW.committed, NEW.available,
         NEW.reservation_id, NEW.order_id, NEW.reason, NEW.ref, NEW.at, substr(NEW.at, 1, 10),
         strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE NEW.at >= coalesce((SELECT horizon FROM retention_horizon WHERE id = 1), '')
  ON CONFLICT (sku, seq) DO NOTHING;

  INSERT INTO daily_rollups (day, sku, received, adjusted, reserved, released, committed, cancelled,
                             fulfilled, returned, on_hand_end, last_seq)
  SELECT substr(NEW.at, 1, 10), NEW.sku,
         CASE NEW.type WHEN 'received'  THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'adjusted'  THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'reserved'  THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'released'  THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'committed' THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'cancelled' THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'fulfilled' THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'returned'  THEN NEW.quantity ELSE 0 END,
         NEW.on_hand, NEW.seq
  WHERE NEW.seq = coalesce((SELECT counted_seq FROM rollup_progress WHERE sku = NEW.sku), 0) + 1
  ON CONFLICT (day, sku) DO UPDATE SET
    received    = received  + excluded.received,
    adjusted    = adjusted  + excluded.adjusted,
    reserved    = reserved  + excluded.reserved,
    released    = released  + excluded.released,
    committed   = committed + excluded.committed,
    cancelled   = cancelled + excluded.cancelled,
    fulfilled   = fulfilled + excluded.fulfilled,
    returned    = returned  + excluded.returned,
    on_hand_end = excluded.on_hand_end,
    last_seq    = excluded.last_seq;

  INSERT INTO rollup_progress (sku, counted_seq)
  SELECT NEW.sku, NEW.seq
  WHERE NEW.seq = coalesce((SELECT counted_seq FROM rollup_progress WHERE sku = NEW.sku), 0) + 1
  ON CONFLICT (sku) DO UPDATE SET counted_seq = excluded.counted_seq;
END;
