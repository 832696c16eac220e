// `npm start`: first-run set-up, then the whole service on 127.0.0.1:$PORT (default 8787) in wrangler's
// local mode. Extra arguments go to both wrangler commands.
import { ensureDevVars, migrateLocalD1, runDev } from "./local-dev.mjs";

const extra = process.argv.slice(2);
ensureDevVars();
migrateLocalD1(extra);
runDev({ configs: ["wrangler.toml"], port: process.env.PORT ?? "8787", extra });
