/** The SQLite schema of one webhook subscription's Durable Object (a shipped step is never edited). */
import type { Schema } from "../shared/migrate";

export const WEBHOOK_ENDPOINT_SCHEMA: Schema = {
  parts: [
    {
      owner: "webhook_endpoint",
      steps: [
        // 1: the subscription (no secret: it is derived, see signing.ts), one row per event sent to it, and
        // one row per attempt. `n` orders deliveries for listing; the partial index finds the due ones.
        `
        CREATE TABLE endpoint (
          id            INTEGER PRIMARY KEY CHECK (id = 1),
          webhook_id    TEXT    NOT NULL,
          url           TEXT    NOT NULL,
          events        TEXT    NOT NULL,
          description   TEXT,
          nonce         TEXT    NOT NULL,
          fingerprint   TEXT,
          created_at_ms INTEGER NOT NULL,
          deleted_at_ms INTEGER
        );
        CREATE TABLE deliveries (
          n                  INTEGER PRIMARY KEY AUTOINCREMENT,
          event_id           TEXT    NOT NULL UNIQUE,
          type               TEXT    NOT NULL,
          body               TEXT    NOT NULL,
          status             TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
          attempts           INTEGER NOT NULL CHECK (attempts >= 0),
          last_status_code   INTEGER,
          last_error         TEXT,
          next_attempt_at_ms INTEGER,
          delivered_at_ms    INTEGER,
          created_at_ms      INTEGER NOT NULL
        );
        CREATE INDEX deliveries_due ON deliveries (next_attempt_at_ms) WHERE status = 'pending';
        CREATE INDEX deliveries_by_status ON deliveries (status, n);
        CREATE TABLE attempts (
          event_id    TEXT    NOT NULL,
          attempt     INTEGER NOT NULL,
          at_ms       INTEGER NOT NULL,
          status_code INTEGER,
          error       TEXT,
          PRIMARY KEY (event_id, attempt)
        ) WITHOUT ROWID;
        `,
        // 2: the id of the signing key the webhook's secret is derived from (see signing.ts); null for
        // webhooks made before keys had ids, which are signed with every configured key.
        `ALTER TABLE endpoint ADD COLUMN key_id TEXT;`,
      ],
    },
  ],
};
