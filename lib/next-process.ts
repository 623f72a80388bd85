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
 * then has to be marked and swept. The ingest route alone, 120,000 events in
 * 1,000-event batches, 3 runs each way: 19–25.8 µs of app CPU per event
 * against 22.7–26.8 µs (about −2 µs, −8%). Costs up to 48 MiB more RSS under
 * load; 64 MiB measured no better.
 */
export const APP_NODE_ARGS = ["--max-semi-space-size=32"];
