/** The SQLite schema of an Order object, one step per version per owner (a shipped step is never edited). */
import { IDEMPOTENCY_SCHEMA } from "../shared/idempotency";
import { INTENT_SCHEMA } from "../shared/intent-log";
import { LISTING_SCHEMA } from "../shared/listing";
import type { Schema } from "../shared/migrate";
import { SCHEDULE_SCHEMA } from "../shared/schedule";

const ORDER_STEPS: readonly string[] = [
  `
  CREATE TABLE order_header (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    order_id       TEXT    NOT NULL,
    reservation_id TEXT    NOT NULL,
    opened         INTEGER NOT NULL DEFAULT 0 CHECK (opened IN (0, 1)),
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
  );
  CREATE TABLE order_lines (
    sku       TEXT    PRIMARY KEY,
    committed INTEGER NOT NULL CHECK (committed > 0),
    fulfilled INTEGER NOT NULL DEFAULT 0,
    cancelled INTEGER NOT NULL DEFAULT 0,
    returned  INTEGER NOT NULL DEFAULT 0,
    CHECK (fulfilled >= 0 AND cancelled >= 0 AND fulfilled + cancelled <= committed),
    CHECK (returned >= 0 AND returned <= fulfilled)
  );
  `,
  // 2 (v1.2): each line's totals by location, as JSON in allocation order; null on lines opened before, whose
  // units were all at \`default\`.
  `ALTER TABLE order_lines ADD COLUMN allocations TEXT;`,
  // 3 (v1.2): bundle lines, counted in bundles; their units are in order_lines with every other unit of their SKUs.
  `
  CREATE TABLE order_bundles (
    sku        TEXT    PRIMARY KEY,
    committed  INTEGER NOT NULL CHECK (committed > 0),
    fulfilled  INTEGER NOT NULL DEFAULT 0,
    cancelled  INTEGER NOT NULL DEFAULT 0,
    returned   INTEGER NOT NULL DEFAULT 0,
    components TEXT    NOT NULL,
    CHECK (fulfilled >= 0 AND cancelled >= 0 AND fulfilled + cancelled <= committed),
    CHECK (returned >= 0 AND returned <= fulfilled)
  ) WITHOUT ROWID;
  `,
];

export const ORDER_SCHEMA: Schema = {
  parts: [IDEMPOTENCY_SCHEMA, SCHEDULE_SCHEMA, INTENT_SCHEMA, LISTING_SCHEMA, { owner: "order", steps: ORDER_STEPS }],
  legacy: { owner: "order", included: ["idempotency", "schedule", "intent"] },
};
