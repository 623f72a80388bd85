import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetDatabase, truncateRetrying } from "./db";

const url = () => process.env.DATABASE_URL!;

// A background job of the app under test (the availability ranking) holds a
// row lock's table lock on the table TRUNCATE takes last and then reads the
// one TRUNCATE took first: a real deadlock, which PostgreSQL ends by aborting
// the TRUNCATE (it waited first, so its deadlock check runs first).
describe("truncateRetrying", () => {
  let job: pg.Client;
  beforeEach(async () => {
    await resetDatabase();
    job = new pg.Client({ connectionString: url() });
    await job.connect();
  });
  afterEach(async () => {
    await job.end().catch(() => {});
  });

  async function deadlockWith(truncate: (sql: string) => Promise<void>): Promise<void> {
    await job.query("BEGIN");
    await job.query("LOCK TABLE availability_rank_dirty IN ROW EXCLUSIVE MODE");
    const truncating = truncate("TRUNCATE availability_day, availability_rank_dirty");
    // Let TRUNCATE take availability_day and queue behind the job's lock.
    await waitForLockWait();
    // The job's read waits for TRUNCATE, which waits for the job: once
    // PostgreSQL has aborted one side, the job ends its transaction.
    const jobDone = job.query("SELECT count(*) FROM availability_day").then(
      () => job.query("COMMIT"),
      () => job.query("ROLLBACK"),
    );
    try {
      await truncating;
    } finally {
      await jobDone;
    }
  }

  async function waitForLockWait(): Promise<void> {
    // Up to 10 s: on a loaded machine TRUNCATE may take seconds to reach the job's table.
    for (let i = 0; i < 1000; i++) {
      const { rows } = await job.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'TRUNCATE%'",
      );
      if (rows[0]!.n > 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error("TRUNCATE never waited for the job's lock");
  }

  it("fails as a deadlock's victim when not retried: the fault is real", async () => {
    const c = new pg.Client({ connectionString: url() });
    await c.connect();
    try {
      await expect(deadlockWith(async (sql) => void (await c.query(sql)))).rejects.toMatchObject({
        code: "40P01",
      });
    } finally {
      await c.end();
    }
  });

  it("retries the TRUNCATE that PostgreSQL aborted, and it then empties the tables", async () => {
    await job.query("INSERT INTO availability_rank_dirty (client_id) VALUES ('a')");
    const c = new pg.Client({ connectionString: url() });
    await c.connect();
    try {
      await deadlockWith((sql) => truncateRetrying((s) => c.query(s), sql));
      const { rows } = await c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM availability_rank_dirty",
      );
      expect(rows[0]!.n).toBe(0);
    } finally {
      await c.end();
    }
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    await expect(
      truncateRetrying(async () => {
        calls++;
        throw Object.assign(new Error("relation does not exist"), { code: "42P01" });
      }, "TRUNCATE nothing"),
    ).rejects.toThrow("relation does not exist");
    expect(calls).toBe(1);
  });
});
