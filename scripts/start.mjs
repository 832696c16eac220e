// `npm start`: first-run set-up, then the whole service on 127.0.0.1:$PORT in wrangler's local mode.
// 1. .dev.vars from .dev.vars.example when missing (the local API tokens);
// 2. the D1 migrations applied to the local database;
// 3. `wrangler dev` with local D1 and Durable Object state under .wrangler/.
import { spawnSync, spawn } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { delimiter, resolve } from "node:path";

const port = process.env.PORT ?? "8787";
// Extra arguments go to both wrangler commands, e.g. `--persist-to <dir>` for a separate local state.
const extra = process.argv.slice(2);
const env = {
  ...process.env,
  // The project's wrangler, on the project's Node 22, also when this script is run without npm.
  PATH: `${resolve("node_modules/.bin")}${delimiter}${process.env.PATH ?? ""}`,
  WRANGLER_SEND_METRICS: "false",
  // No network is needed: skip the download of the `request.cf` placeholder data.
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  CI: process.env.CI ?? "true",
};

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("created .dev.vars from .dev.vars.example (local tokens: local-read-token, local-write-token)");
}

const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local", ...extra], { stdio: "inherit", env });
if (migrate.status !== 0) {
  const why = migrate.error ? migrate.error.message : `wrangler exited with ${migrate.status}`;
  console.error(`applying the D1 migrations failed (${why}); if it says SQLITE_LOCKED, stop the other \`npm start\``);
  process.exit(migrate.status ?? 1);
}

const dev = spawn("wrangler", ["dev", "--local", "--ip", "127.0.0.1", "--port", port, "--show-interactive-dev-session=false", ...extra], {
  stdio: "inherit",
  env,
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
