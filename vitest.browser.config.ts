// `npm run test:browser`: what runs against a real `npm start`: the operator console in Debian's Chromium
// (driven by playwright-core), and the import and reconcile scripts as child processes. Not part of
// `npm test`, which stays browser-free; `.ci/run` installs Chromium and runs both.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "browser",
    include: ["test/browser/**/*.spec.ts", "test/live/**/*.test.ts"],
    environment: "node",
    globalSetup: ["./test/browser/serve.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ["default", "./test/setup/summary-reporter.ts"],
  },
});
