/** The SQLite schema of a Reservation object, one step per version (a shipped step is never edited). */
import { IDEMPOTENCY_DDL } from "../shared/idempotency";
import { SCHEDULE_DDL } from "../shared/schedule";

export const RESERVATION_STEPS: readonly string[] = [
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
  CREATE TABLE intent (id INTEGER PRIMARY KEY CHECK (id = 1), payload TEXT NOT NULL);
  ${IDEMPOTENCY_DDL}
  ${SCHEDULE_DDL}
  `,
];
