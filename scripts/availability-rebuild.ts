// npm run availability:rebuild: recompute the availability rollup of every
// client from its connections (once, after upgrading a database that already
// held clients; safe to run again and beside live ingest).
import { rebuildAvailability } from "../lib/availability/rebuild";
import { createDatabase } from "../lib/db/client";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set");
  process.exit(2);
}
const database = createDatabase(url, 2);
const clients = await rebuildAvailability(database.pool, (done) => {
  if (done % 10_000 === 0) console.log(`availability: ${done} clients rebuilt`);
});
console.log(`availability: rebuilt ${clients} clients`);
await database.close();
