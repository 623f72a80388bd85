// The read scope against a real PostgreSQL: a statement blocked on a lock
// is cancelled in the server (not merely abandoned by Node) when its request
// is aborted or runs past its limit, and the pooled connection serves the
// next statement; outside a scope, and after it, nothing is cancelled.
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RequestAborted, ServiceError } from "../errors";
import { bindReadsToRequests, withRequestReads } from "./request-reads";

const url = process.env.DATABASE_URL!;
const PROBE = "request_reads_probe";
/** One connection: whatever runs next runs on the connection the cancelled statement used. */
let pool: pg.Pool;
let locker: pg.Client;
let observer: pg.Client;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on("error", () => {});
  bindReadsToRequests(pool);
  locker = new pg.Client({ connectionString: url });
  observer = new pg.Client({ connectionString: url });
  await Promise.all([locker.connect(), observer.connect()]);
  await observer.query(`CREATE TABLE IF NOT EXISTS ${PROBE} (n int)`);
});

afterAll(async () => {
  await observer.query(`DROP TABLE IF EXISTS ${PROBE}`);
  await Promise.all([pool.end(), locker.end(), observer.end()]);
});

beforeEach(async () => {
  await locker.query("ROLLBACK");
});

/** Holds the probe table locked (in an open transaction) until `release`. */
async function lockProbe(): Promise<{ release: () => Promise<void> }> {
  await locker.query("BEGIN");
  await locker.query(`LOCK TABLE ${PROBE} IN ACCESS EXCLUSIVE MODE`);
  return { release: async () => void (await locker.query("ROLLBACK")) };
}

/** The backends running a statement on the probe table. */
async function probeReaders(): Promise<number[]> {
  const { rows } = await observer.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE state = 'active' AND query LIKE '%FROM ${PROBE}%' AND pid <> pg_backend_pid()`,
  );
  return rows.map((r) => r.pid);
}

const requestFor = (signal?: AbortSignal) =>
  new Request("http://fleet.test/api/clients?x=1", signal ? { signal } : {});

const backendPid = async () =>
  (await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;

describe("withRequestReads", () => {
  it("cancels the request's statement in PostgreSQL when the request is aborted", async () => {
    const pidBefore = await backendPid();
    const lock = await lockProbe();
    try {
      const caller = new AbortController();
      const read = withRequestReads(requestFor(caller.signal), () =>
        pool.query(`SELECT count(*) FROM ${PROBE}`),
      );
      read.catch(() => {});
      await expect.poll(probeReaders).toEqual([pidBefore]);
      const aborted = performance.now();
      caller.abort();
      await expect(read).rejects.toBeInstanceOf(RequestAborted);
      expect(performance.now() - aborted).toBeLessThan(1_000);
      expect(await probeReaders()).toEqual([]);
    } finally {
      await lock.release();
    }
    // The same connection, healthy: the cancel was spent on the statement it was meant for.
    expect(await backendPid()).toBe(pidBefore);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${PROBE}`)).rows[0].n).toBe(0);
  });

  it("cancels it at the time limit with query_timeout naming the request", async () => {
    const lock = await lockProbe();
    try {
      const started = performance.now();
      const read = withRequestReads(
        requestFor(),
        () => pool.query(`SELECT count(*) FROM ${PROBE}`),
        400,
      );
      const error = await read.catch((e: unknown) => e);
      const took = performance.now() - started;
      expect(error).toBeInstanceOf(ServiceError);
      expect(error).toMatchObject({ code: "query_timeout", status: 503, retryAfterSeconds: 1 });
      expect((error as Error).message).toMatch(
        /^GET \/api\/clients: the database did not answer within 0.4 s \(QUERY_TIMEOUT_MS\)/,
      );
      expect(took).toBeGreaterThanOrEqual(390);
      expect(took).toBeLessThan(1_500);
      expect(await probeReaders()).toEqual([]);
    } finally {
      await lock.release();
    }
    expect((await pool.query("SELECT 1 AS one")).rows[0].one).toBe(1);
  });

  it("refuses a statement once the request is gone, without sending it", async () => {
    const caller = new AbortController();
    caller.abort();
    await expect(
      withRequestReads(requestFor(caller.signal), () => pool.query("SELECT 1")),
    ).rejects.toBeInstanceOf(RequestAborted);
  });

  it("leaves statements alone outside a request and after its handler answered", async () => {
    const lock = await lockProbe();
    const caller = new AbortController();
    let later: Promise<unknown> | undefined;
    await withRequestReads(
      requestFor(caller.signal),
      async () => {
        // Work the handler leaves running, in the scope's async context.
        later = new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
          pool.query(`SELECT count(*)::int AS n FROM ${PROBE}`),
        );
      },
      200,
    );
    await expect.poll(probeReaders).toHaveLength(1);
    caller.abort();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await probeReaders()).toHaveLength(1);
    await lock.release();
    await expect(later).resolves.toMatchObject({ rows: [{ n: 0 }] });
  });

  it("passes other errors through as they are", async () => {
    const error = await withRequestReads(requestFor(), () => pool.query("SELEC 1")).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "42601" });
    expect((await pool.query("SELECT 1 AS one")).rows[0].one).toBe(1);
  });
});
