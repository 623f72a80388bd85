// Runs the embedded PostgreSQL in its own process group for `npm start`, so a
// terminal's Ctrl-C reaches only the orchestrator, which then stops the
// pieces in order (fleet, bridge flush, app, database last). The server stops
// when told to over IPC or when the orchestrator disappears.
import { startEmbeddedPostgres } from "../lib/db/embedded";

const dataDir = process.argv[2] ?? ".data/pg";
const pg = await startEmbeddedPostgres({ dataDir });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await pg.stop();
  process.exit(0);
};
process.on("message", (m) => {
  if (m === "stop") void stop();
});
process.on("disconnect", () => void stop());
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
process.send?.({ url: pg.url });
