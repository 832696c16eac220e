-- Contract v1.1: webhook subscriptions. Each one's deliveries live in its own WebhookEndpoint object; this
-- table lists them, and the queue consumer reads it to fan each event out. No secret is kept anywhere:
-- it is derived from the WEBHOOK_SIGNING_KEY secret when needed (durable-objects/webhook/signing.ts).
CREATE TABLE webhooks (
  id          TEXT PRIMARY KEY,
  url         TEXT NOT NULL,
  events      TEXT NOT NULL,
  description TEXT,
  created_at  TEXT NOT NULL
) WITHOUT ROWID;
