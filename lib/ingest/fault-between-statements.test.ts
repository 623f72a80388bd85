// A database connection that drops between two statements of a batch
// (issue #14, finding 6): the driver then refuses the next statement with
// "Client has encountered a connection error and is not queryable", which
// was not recognised as the database being unavailable (a 500). It must be
// a 503 with Retry-After, with nothing of the batch stored. The connection
// is really terminated (pg_terminate_backend) right after the lock statement.
import pg from "pg";
import { afterAll, beforeEach, describe, expect, inject, it } from "vitest";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { handleApiError } from "../http/handle-error";
import { resetDatabase, withClient } from "@/test/support/db";
import { connected, envelope } from "@/test/support/events";
import { parseItems } from "./parse";
import { storeBatch } from "./store";

const url = inject("databaseUrl");
const pool = new pg.Pool({ connectionString: url, max: 2 });
pool.on("error", () => {});

afterAll(() => pool.end());
beforeEach(() => resetDatabase());

/** Checks clients out of `pool` that lose their server connection after their `n`th statement. */
function dropAfterStatement(n: number): () => void {
  const connect = pool.connect.bind(pool);
  const patched = async () => {
    const client = await connect();
    const pid = (client as unknown as { processID: number }).processID;
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    let count = 0;
    (client as unknown as { query: unknown }).query = async (...args: unknown[]) => {
      const result = await query(...args);
      count += 1;
      if (count === n) {
        const lost = new Promise((resolve) => client.once("error", resolve));
        await withClient(url, (c) => c.query("SELECT pg_terminate_backend($1)", [pid]));
        await lost;
      }
      return result;
    };
    return client;
  };
  (pool as unknown as { connect: unknown }).connect = patched;
  return () => {
    (pool as unknown as { connect: unknown }).connect = connect;
  };
}

describe("a connection dropped between two statements of a batch", () => {
  it("is a 503 with Retry-After, and nothing of the batch is stored", async () => {
    const parsed = parseItems(
      [envelope(connected("between-statements", Date.now(), 1))],
      Date.now(),
    );
    // Statements: BEGIN, the lock, then the insert: the drop comes between the lock and the insert.
    const restore = dropAfterStatement(2);
    let failure: unknown;
    try {
      await storeBatch(pool, parsed.accepted, parsed.rejected, new Date(), presenceConfig());
    } catch (error) {
      failure = error;
    } finally {
      restore();
    }
    expect((failure as Error).message).toMatch(/not queryable/);
    const response = handleApiError(failure);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toEqual({
      error: { code: "database_unavailable", message: "The database is unreachable; retry later." },
    });
    const { rows } = await db().pool.query("SELECT count(*)::int AS n FROM lifecycle_event");
    expect(rows[0]).toEqual({ n: 0 });
  });
});
