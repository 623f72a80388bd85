// npm run retention: one retention pass now (for cron, or after lowering EVENT_RETENTION_DAYS).
import { createDatabase } from "../lib/db/client";
import { deleteExpiredEvents, retentionCutoff } from "../lib/retention/delete-expired-events";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set");
  process.exit(2);
}
const days = Number(process.env.EVENT_RETENTION_DAYS ?? 30);
const database = createDatabase(url, 2);
const result = await deleteExpiredEvents(database.pool, retentionCutoff(days));
console.log(
  `retention (${days} days): deleted ${result.deleted} events in ${result.batches} batches${result.skipped ? " (skipped: another instance is running it)" : ""}`,
);
await database.close();
