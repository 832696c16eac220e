// `npm run example`: the example checkout Worker on 127.0.0.1:$EXAMPLE_PORT (default 8788), with this
// checkout's stockwell beside it in the same `wrangler dev` session. One session with two configs binds the
// example to this stockwell, not to whichever one wrangler's machine-wide dev registry saw last. Uses the same
// local state as `npm start`, so stop that first.
import { ensureDevVars, migrateLocalD1, runDev } from "./local-dev.mjs";

ensureDevVars();
migrateLocalD1();
runDev({ configs: ["examples/checkout/wrangler.toml", "wrangler.toml"], port: process.env.EXAMPLE_PORT ?? "8788" });
