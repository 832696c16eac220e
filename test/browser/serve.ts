// globalSetup of `npm run test:browser`: the whole service as `npm start` runs it (migrations, .dev.vars,
// wrangler dev in local mode), on its own port and with a fresh state folder, for the browser tests.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";

const PORT = Number(process.env.BROWSER_PORT ?? 8798);
const STATE = ".wrangler/browser-state";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function serve(project: TestProject) {
  rmSync(STATE, { recursive: true, force: true });
  const server = spawn(process.execPath, ["scripts/start.mjs", "--persist-to", STATE], {
    env: { ...process.env, PORT: String(PORT) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  server.stdout!.on("data", (d) => (log += d));
  server.stderr!.on("data", (d) => (log += d));
  const base = `http://127.0.0.1:${PORT}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (Date.now() > deadline || server.exitCode !== null) {
      process.kill(-server.pid!);
      throw new Error(`npm start did not answer on ${base}:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  project.provide("baseUrl", base);
  return () => {
    process.kill(-server.pid!, "SIGTERM");
  };
}
