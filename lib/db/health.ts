import "server-only";
import { db } from "./client";

/** True when the database answers a trivial query within two seconds. */
export async function checkHealth(): Promise<boolean> {
  try {
    await Promise.race([
      db().pool.query("SELECT 1"),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2_000).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}
