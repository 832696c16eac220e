// What `npm start` and `npm run example` share: first-run set-up, then one `wrangler dev` in local mode.
// 1. .dev.vars from .dev.vars.example when missing (the local API tokens);
// 2. the D1 migrations applied to the local database;
// 3. `wrangler dev` with local D1 and Durable Object state under .wrangler/state.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import { delimiter, resolve } from "node:path";

/** Where local D1 and Durable Object state live, whichever Worker is the primary of the session. */
export const STATE_DIR = ".wrangler/state";

export const wranglerEnv = {
  ...process.env,
  // The project's wrangler, on the project's Node 22, also when a script is run without npm.
  PATH: `${resolve("node_modules/.bin")}${delimiter}${process.env.PATH ?? ""}`,
  WRANGLER_SEND_METRICS: "false",
  // No network is needed: skip the download of the `request.cf` placeholder data.
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  CI: process.env.CI ?? "true",
};

export function ensureDevVars() {
  if (!existsSync(".dev.vars")) {
    copyFileSync(".dev.vars.example", ".dev.vars");
    console.log(
      "created .dev.vars from .dev.vars.example (local tokens: local-read-token, local-write-token, local-admin-token)",
    );
    return;
  }
  // A .dev.vars made by an older version lacks the keys added since: append them, keep the rest as it is.
  const keysOf = (text) => new Set(text.split("\n").map((line) => line.match(/^([A-Z_]+)=/)?.[1]).filter(Boolean));
  const have = keysOf(readFileSync(".dev.vars", "utf8"));
  const missing = readFileSync(".dev.vars.example", "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line) && !have.has(line.split("=")[0]));
  if (missing.length === 0) return;
  appendFileSync(".dev.vars", `\n${missing.join("\n")}\n`);
  console.log(`added ${missing.map((line) => line.split("=")[0]).join(", ")} to .dev.vars from .dev.vars.example`);
}

/** `--persist-to` of this project's state, unless the caller named its own. */
const persistence = (extra) => (extra.includes("--persist-to") ? [] : ["--persist-to", STATE_DIR]);

/** Applies the D1 migrations to the local database; exits with wrangler's status when that fails. */
export function migrateLocalD1(extra = []) {
  const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local", ...persistence(extra), ...extra], {
    stdio: "inherit",
    env: wranglerEnv,
  });
  if (migrate.status === 0) return;
  const why = migrate.error ? migrate.error.message : `wrangler exited with ${migrate.status}`;
  console.error(`applying the D1 migrations failed (${why}); if it says SQLITE_LOCKED, stop the other \`npm start\``);
  process.exit(migrate.status ?? 1);
}

/** Runs `wrangler dev` with the given configs (the first is served on `port`) until it exits. */
export function runDev({ configs, port, extra = [] }) {
  const args = ["dev", ...configs.flatMap((c) => ["-c", c]), "--local", ...persistence(extra)];
  args.push("--ip", "127.0.0.1", "--port", port, "--show-interactive-dev-session=false", ...extra);
  const dev = spawn("wrangler", args, { stdio: "inherit", env: wranglerEnv });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
  dev.on("exit", (code) => process.exit(code ?? 0));
}
