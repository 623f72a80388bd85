// Reads the app gives up on must not keep running in PostgreSQL: against the
// real, built app, each main read is made to block for real (the test holds
// client_state and connection locked in its own open transaction), then
// (a) the request answers 503 query_timeout at QUERY_TIMEOUT_MS and its
// statement is gone from pg_stat_activity, and (b) a request whose caller
// goes away has its statement cancelled within a second, and the pool
// serves the next request. The CSV export and the fleet page's server-side
// prefetch end theirs the same way. Needs a production build.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startApp, type AppServer } from "@/test/support/app-server";
import { resetDatabase } from "@/test/support/db";

const TIMEOUT_MS = 3_000;
const TEST_APP = "read-cancel-test";

/** The reads the brief names: list, counts, as-of, availability report, online history. */
const READS = [
  "/api/clients",
  "/api/stats/summary",
  "/api/clients?asOf=2026-01-01T00:00:00.000Z",
  "/api/stats/summary?asOf=2026-01-01T00:00:00.000Z",
  "/api/reports/availability",
  "/api/stats/online?range=24h",
];

let app: AppServer;
let locker: pg.Client;
let observer: pg.Client;

beforeAll(async () => {
  await resetDatabase();
  app = await startApp({
    databaseUrl: inject("databaseUrl"),
    env: {
      QUERY_TIMEOUT_MS: String(TIMEOUT_MS),
      // The jobs read the same tables: keep them from waiting on the test's lock.
      INCIDENT_DETECTION_INTERVAL_SECONDS: "3600",
      ALERTS_EVAL_INTERVAL_SECONDS: "3600",
      RETENTION_INTERVAL_SECONDS: "3600",
      AVAILABILITY_RANK_INTERVAL_SECONDS: "3600",
    },
  });
  const connect = async () => {
    const client = new pg.Client({
      connectionString: inject("databaseUrl"),
      application_name: TEST_APP,
    });
    await client.connect();
    return client;
  };
  [locker, observer] = await Promise.all([connect(), connect()]);
  // Every read answers once before the locks: logged in, pool warm, nothing cached to miss.
  for (const path of READS) expect((await app.fetch(path)).status, path).toBe(200);
  // The jobs' first runs (3–5 s after the start) read the tables the tests
  // lock: they are over before the first lock, and the next are an hour away.
  for (let waited = 0; ; waited += 200) {
    const { rows } = await observer.query<{ done: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM availability_rank_state WHERE ready)
          AND EXISTS (SELECT 1 FROM incident_detector WHERE last_run_at IS NOT NULL) AS done`,
    );
    if (rows[0]!.done) break;
    if (waited > 30_000) throw new Error("the app's jobs never ran their first pass");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 120_000);

afterAll(async () => {
  await locker?.query("ROLLBACK").catch(() => {});
  await Promise.all([locker?.end(), observer?.end()]);
  await app?.stop();
});

/** Holds the tables every read above needs, until `release`. */
async function lockReads(): Promise<{ release: () => Promise<void> }> {
  await locker.query("BEGIN");
  await locker.query("LOCK TABLE client_state, connection IN ACCESS EXCLUSIVE MODE");
  return { release: async () => void (await locker.query("ROLLBACK")) };
}

/** The app's statements running now (waiting on the lock counts): the test's own are left out. */
async function appStatements(): Promise<string[]> {
  const { rows } = await observer.query<{ query: string }>(
    `SELECT query FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'active'
        AND application_name <> $1 AND pid <> pg_backend_pid()`,
    [TEST_APP],
  );
  return rows.map((r) => r.query);
}

/**
 * Starts a read that blocks on the lock, aborts it once its statement runs,
 * and expects the caller to see AbortError and the statement to be
 * cancelled within a second.
 */
async function expectAbortCancelsStatement(
  start: (signal: AbortSignal) => Promise<unknown>,
): Promise<void> {
  const caller = new AbortController();
  const pending = start(caller.signal).catch((e: Error) => e);
  await expect.poll(appStatements, { timeout: 2_000 }).not.toEqual([]);
  const aborted = performance.now();
  caller.abort();
  expect(await pending).toMatchObject({ name: "AbortError" });
  await expect.poll(appStatements, { timeout: 1_000, interval: 25 }).toEqual([]);
  expect(performance.now() - aborted).toBeLessThan(1_000);
}

describe("reads bound to their request", () => {
  it("answer 503 query_timeout at QUERY_TIMEOUT_MS and leave nothing running", async () => {
    const lock = await lockReads();
    try {
      const answers = await Promise.all(
        READS.map(async (path) => {
          const started = performance.now();
          const response = await app.fetch(path);
          return {
            path,
            ms: performance.now() - started,
            status: response.status,
            retryAfter: response.headers.get("retry-after"),
            body: (await response.json()) as { error: { code: string; message: string } },
          };
        }),
      );
      for (const answer of answers) {
        expect(answer, answer.path).toMatchObject({
          status: 503,
          retryAfter: String(TIMEOUT_MS / 1000),
          body: { error: { code: "query_timeout" } },
        });
        const path = answer.path.split("?")[0]!;
        expect(answer.body.error.message).toBe(
          `GET ${path}: the database did not answer within ${TIMEOUT_MS / 1000} s (QUERY_TIMEOUT_MS), so the query was cancelled; retry later or narrow the request.`,
        );
        expect(answer.ms, answer.path).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
        expect(answer.ms, answer.path).toBeLessThan(TIMEOUT_MS + 1_500);
      }
      // Still locked: whatever were running would still be waiting.
      expect(await appStatements()).toEqual([]);
    } finally {
      await lock.release();
    }
  }, 30_000);

  it.each(READS)(
    "%s: a request the caller aborts has its statement cancelled within a second",
    async (path) => {
      const lock = await lockReads();
      try {
        await expectAbortCancelsStatement((signal) => app.fetch(path, { signal }));
      } finally {
        await lock.release();
      }
      // The pool serves the next request (and the one after: no connection was lost or left cancelled).
      for (let i = 0; i < 3; i += 1) expect((await app.fetch(path)).status).toBe(200);
    },
    15_000,
  );

  it("a CSV export whose reader goes away has its running FETCH cancelled", async () => {
    const lock = await lockReads();
    try {
      await expectAbortCancelsStatement((signal) =>
        app.fetch("/api/export/connections.csv", { signal }).then((response) => response.text()),
      );
    } finally {
      await lock.release();
    }
    const again = await app.fetch("/api/export/connections.csv");
    expect(again.status).toBe(200);
    expect(await again.text()).toMatch(/^clientId,/);
  });

  it("the fleet page gives up its prefetch at the budget and cancels those reads", async () => {
    const lock = await lockReads();
    try {
      const started = performance.now();
      const response = await app.fetch("/");
      expect(response.status).toBe(200);
      await response.text();
      // The page renders without rows (the browser fetches them); nothing it started runs on.
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS);
      await expect.poll(appStatements, { timeout: 1_000, interval: 25 }).toEqual([]);
    } finally {
      await lock.release();
    }
  });

  it("a bad QUERY_TIMEOUT_MS stops the start, naming it", async () => {
    const failure = await startApp({
      databaseUrl: inject("databaseUrl"),
      env: { QUERY_TIMEOUT_MS: "soon" },
    }).then(
      async (started) => {
        await started.stop();
        return "";
      },
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/next start exited with code 78/);
    expect(failure).toContain("[config] Invalid configuration: QUERY_TIMEOUT_MS: ");
  }, 60_000);

  it("a read that finishes in time is not affected", async () => {
    const lock = await lockReads();
    const response = app.fetch("/api/clients");
    await expect.poll(appStatements).not.toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / 2));
    await lock.release();
    expect((await response).status).toBe(200);
  });
});
