// How the web app's Node.js process is started: by `npm start`
// (scripts/start.ts), by the test and benchmark harness
// (test/support/app-server.ts), and by `npm run serve` (package.json repeats
// APP_NODE_ARGS there, JSON cannot import it; lib/next-process.test.ts
// checks the copy).
import path from "node:path";

export const NEXT_BIN = path.resolve("node_modules/next/dist/bin/next");

/**
 * A 32 MiB young generation (Node 20's default is 16): an ingest batch's
 * parsed events live across its database round trips, so with the default
 * they outlive two scavenges and are copied into the old generation, which
 * then has to be marked and swept. It lowered the app's CPU per event in the
 * ingest benchmark at the cost of some RSS under load; a larger one did no
 * better (docs/performance-log.md has the runs).
 */
export const APP_NODE_ARGS = ["--max-semi-space-size=32"];
