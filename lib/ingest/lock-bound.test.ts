// One ingest batch takes a bounded number of advisory locks, whatever its
// number of clients (issue #14, finding 5): one lock per client let a
// single token fill PostgreSQL's shared lock table, which every database of
// the server shares ("out of shared memory" elsewhere).
import { describe, expect, it } from "vitest";
import { db } from "../db/client";
import { INGEST_LOCK_BUCKETS, LOCK_CLIENTS_SQL } from "./store-sql";

async function locksHeldFor(clientIds: string[]): Promise<number> {
  const client = await db().pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(LOCK_CLIENTS_SQL, [clientIds]);
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
    );
    return rows[0]!.n;
  } finally {
    await client.query("ROLLBACK");
    client.release();
  }
}

describe("ingest's client locks", () => {
  it("are at most INGEST_LOCK_BUCKETS per batch, for 3,000 clients as for 3", async () => {
    const many = Array.from({ length: 3_000 }, (_, i) => `lock-bound-${i}`);
    expect(await locksHeldFor(many)).toBe(INGEST_LOCK_BUCKETS);
    expect(await locksHeldFor(["a", "b", "a"])).toBeLessThanOrEqual(2);
    expect(INGEST_LOCK_BUCKETS).toBeLessThanOrEqual(64);
  });

  it("serialise two batches that share a client", async () => {
    const first = await db().pool.connect();
    const second = await db().pool.connect();
    try {
      await first.query("BEGIN");
      await first.query(LOCK_CLIENTS_SQL, [["shared-client", "only-first"]]);
      await second.query("BEGIN");
      await second.query("SET LOCAL lock_timeout = '200ms'");
      await expect(second.query(LOCK_CLIENTS_SQL, [["shared-client"]])).rejects.toThrow(
        /lock timeout/,
      );
    } finally {
      await first.query("ROLLBACK");
      await second.query("ROLLBACK");
      first.release();
      second.release();
    }
  });
});
