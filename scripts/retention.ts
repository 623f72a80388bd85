// npm run retention: one retention pass now (for cron, or after lowering EVENT_RETENTION_DAYS):
// the months ahead created, expired months dropped, the remaining expired rows deleted.
import { createDatabase } from "../lib/db/client";
import { retentionConfig, runRetention } from "../lib/retention/run";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set");
  process.exit(2);
}
let config;
try {
  config = retentionConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const database = createDatabase(url, 2);
const result = await runRetention(database.pool, config);
if (result.skipped) {
  console.log(`retention (${config.days} days): skipped, another instance is running it`);
} else {
  const list = (names: string[]) => (names.length > 0 ? names.join(", ") : "none");
  console.log(
    `retention (${config.days} days): partitions created ${list(result.created)}, dropped ${list(result.dropped)}; deleted ${result.deleted} events in ${result.batches} batches`,
  );
}
await database.close();
