/** The SQLite schema of a Reservation object, one step per version per owner (a shipped step is never edited). */
import { IDEMPOTENCY_SCHEMA } from "../shared/idempotency";
import { INTENT_SCHEMA } from "../shared/intent-log";
import { LISTING_SCHEMA } from "../shared/listing";
import type { Schema } from "../shared/migrate";
import { SCHEDULE_SCHEMA } from "../shared/schedule";

const RESERVATION_STEPS: readonly string[] = [
  `
  CREATE TABLE reservation (
    id            TEXT    PRIMARY KEY,
    holder        TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('active', 'committed', 'released', 'expired')),
    lines         TEXT    NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    order_id      TEXT,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    CHECK ((status = 'committed') = (order_id IS NOT NULL))
  );
  `,
];

export const RESERVATION_SCHEMA: Schema = {
  parts: [IDEMPOTENCY_SCHEMA, SCHEDULE_SCHEMA, INTENT_SCHEMA, LISTING_SCHEMA, { owner: "reservation", steps: RESERVATION_STEPS }],
  legacy: { owner: "reservation", included: ["idempotency", "schedule", "intent"] },
};
