// A fresh database whose online rollup is built (and empty), as a running
// app has it: ingest then keeps the rollup, and readers use it.
import { rebuildOnlineRollup } from "../../lib/stats/online-rollup";
import { resetDatabase } from "./db";

/** Empties every data table, then builds the online rollup over the empty tables. */
export async function resetDatabaseWithRollup(): Promise<void> {
  await resetDatabase();
  await rebuildOnlineRollup();
}
