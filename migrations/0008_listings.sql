-- Contract v1.1: GET /v1/reservations and GET /v1/orders. Each reservation and order object copies its record
-- here through its own outbox (durable-objects/shared/listing.ts); a row is replaced only by a higher
-- revision, so a retried or late copy changes nothing. Newest first: every index ends in (updated_at, id).
CREATE TABLE reservations (
  id         TEXT    PRIMARY KEY,
  holder     TEXT    NOT NULL,
  status     TEXT    NOT NULL CHECK (status IN ('active', 'committed', 'released', 'expired')),
  lines      TEXT    NOT NULL,
  expires_at TEXT    NOT NULL,
  order_id   TEXT,
  created_at TEXT    NOT NULL,
  updated_at TEXT    NOT NULL,
  revision   INTEGER NOT NULL CHECK (revision >= 1)
);
CREATE INDEX reservations_by_update ON reservations (updated_at, id);
CREATE INDEX reservations_by_holder ON reservations (holder, updated_at, id);
CREATE INDEX reservations_by_status ON reservations (status, updated_at, id);

CREATE TABLE reservation_skus (
  sku            TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  reservation_id TEXT NOT NULL REFERENCES reservations (id),
  PRIMARY KEY (sku, updated_at, reservation_id)
) WITHOUT ROWID;
CREATE INDEX reservation_skus_by_reservation ON reservation_skus (reservation_id);

CREATE TABLE orders (
  order_id       TEXT    PRIMARY KEY,
  reservation_id TEXT    NOT NULL,
  lines          TEXT    NOT NULL,
  outstanding    INTEGER NOT NULL CHECK (outstanding >= 0),
  created_at     TEXT    NOT NULL,
  updated_at     TEXT    NOT NULL,
  revision       INTEGER NOT NULL CHECK (revision >= 1)
);
CREATE INDEX orders_by_update ON orders (updated_at, order_id);
CREATE INDEX orders_by_reservation ON orders (reservation_id, updated_at, order_id);
CREATE INDEX orders_open ON orders (updated_at, order_id) WHERE outstanding > 0;
CREATE INDEX orders_closed ON orders (updated_at, order_id) WHERE outstanding = 0;

CREATE TABLE order_skus (
  sku        TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  order_id   TEXT NOT NULL REFERENCES orders (order_id),
  PRIMARY KEY (sku, updated_at, order_id)
) WITHOUT ROWID;
CREATE INDEX order_skus_by_order ON order_skus (order_id);
