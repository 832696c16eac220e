import { applyD1Migrations, env } from "cloudflare:test";
import { afterEach } from "vitest";
import { resetClock } from "../../durable-objects/shared/clock";

// Idempotent: applyD1Migrations records what it applied, so every test file can run it.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// Tests that move the objects' clock forward get the real one back before the next test.
afterEach(() => resetClock());
