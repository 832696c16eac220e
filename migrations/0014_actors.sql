-- Contract v1.2: who did it. Every move records its actor (a token's name, `rpc` or a bound Worker's name,
-- or `system`); moves from before keep null. GET /v1/moves?actor= walks (actor, cursor) like every other
-- filter of the feed. The view and trigger the projection writes through are made again over the new column.

DROP TRIGGER project_move;
DROP VIEW projected_moves;

ALTER TABLE moves ADD COLUMN actor TEXT;
CREATE INDEX moves_by_actor ON moves (actor, cursor) WHERE actor IS NOT NULL;

-- What the projection writes: a move as the ledger recorded it (see 0004 for the rules).
CREATE VIEW projected_moves AS
  SELECT sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id, order_id,
         reason, ref, at, location, to_location, incoming_id, incoming, actor
  FROM moves WHERE 0;

CREATE TRIGGER project_move INSTEAD OF INSERT ON projected_moves
BEGIN
  INSERT INTO moves (sku, seq, type, quantity, on_hand, reserved, committed, available, reservation_id,
                     order_id, reason, ref, at, at_day, projected_at, location, to_location, incoming_id, incoming,
                     actor)
  SELECT NEW.sku, NEW.seq, NEW.type, NEW.quantity, NEW.on_hand, NEW.reserved, NEW.committed, NEW.available,
         NEW.reservation_id, NEW.order_id, NEW.reason, NEW.ref, NEW.at, substr(NEW.at, 1, 10),
         strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), coalesce(NEW.location, 'default'), NEW.to_location,
         NEW.incoming_id, coalesce(NEW.incoming, 0), NEW.actor
  WHERE NEW.at >= coalesce((SELECT horizon FROM retention_horizon WHERE id = 1), '')
  ON CONFLICT (sku, seq) DO NOTHING;

  INSERT INTO daily_rollups (day, sku, received, adjusted, reserved, released, committed, cancelled,
                             fulfilled, returned, transferred, expected, expected_cancelled, on_hand_end, last_seq)
  SELECT substr(NEW.at, 1, 10), NEW.sku,
         CASE NEW.type WHEN 'received'    THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'adjusted'    THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'reserved'    THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'released'    THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'committed'   THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'cancelled'   THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'fulfilled'   THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'returned'    THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'transferred' THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'expected'    THEN NEW.quantity ELSE 0 END,
         CASE NEW.type WHEN 'expected_cancelled' THEN NEW.quantity ELSE 0 END,
         NEW.on_hand, NEW.seq
  WHERE NEW.seq = coalesce((SELECT counted_seq FROM rollup_progress WHERE sku = NEW.sku), 0) + 1
  ON CONFLICT (day, sku) DO UPDATE SET
    received    = received    + excluded.received,
    adjusted    = adjusted    + excluded.adjusted,
    reserved    = reserved    + excluded.reserved,
    released    = released    + excluded.released,
    committed   = committed   + excluded.committed,
    cancelled   = cancelled   + excluded.cancelled,
    fulfilled   = fulfilled   + excluded.fulfilled,
    returned    = returned    + excluded.returned,
    transferred = transferred + excluded.transferred,
    expected    = expected    + excluded.expected,
    expected_cancelled = expected_cancelled + excluded.expected_cancelled,
    on_hand_end = excluded.on_hand_end,
    last_seq    = excluded.last_seq;

  INSERT INTO rollup_progress (sku, counted_seq)
  SELECT NEW.sku, NEW.seq
  WHERE NEW.seq = coalesce((SELECT counted_seq FROM rollup_progress WHERE sku = NEW.sku), 0) + 1
  ON CONFLICT (sku) DO UPDATE SET counted_seq = excluded.counted_seq;
END;
