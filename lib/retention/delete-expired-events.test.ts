import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../db/client";
import { ingest } from "../ingest";
import { resetDatabase } from "../../test/support/db";
import { connected, disconnected, envelope, subscribed } from "../../test/support/events";
import { deleteExpiredEvents, retentionCutoff } from "./delete-expired-events";

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.now();

async function count(sql: string): Promise<number> {
  return (await db().pool.query<{ n: number }>(sql)).rows[0]!.n;
}

beforeEach(resetDatabase);

describe("deleteExpiredEvents", () => {
  it("deletes old raw events in bounded batches and keeps the derived state", async () => {
    const old = Array.from({ length: 23 }, (_, i) =>
      envelope(connected(`old-${i}`, NOW - 40 * DAY + i, 1)),
    );
    await ingest(
      JSON.stringify([
        ...old,
        envelope(subscribed("old-0", NOW - 40 * DAY + 100, ["cmd/old-0"])),
        envelope(connected("fresh", NOW - DAY, 1)),
        envelope(disconnected("fresh", NOW - DAY + 1_000, 1)),
      ]),
    );
    const result = await deleteExpiredEvents(db().pool, retentionCutoff(30), {
      batchSize: 5,
      pauseMs: 0,
    });
    expect(result).toEqual({ deleted: 24, batches: 5, skipped: false });
    expect(await count("SELECT count(*)::int AS n FROM lifecycle_event")).toBe(2);
    expect(await count("SELECT count(*)::int AS n FROM connection")).toBe(24);
    expect(await count("SELECT count(*)::int AS n FROM client_state")).toBe(24);
    expect(await count("SELECT count(*)::int AS n FROM subscription_state")).toBe(1);
  });

  it("lets only one instance run at a time", async () => {
    const holder = await db().pool.connect();
    try {
      await holder.query("SELECT pg_advisory_lock($1)", [0x7265_7465]);
      expect(await deleteExpiredEvents(db().pool, new Date())).toEqual({
        deleted: 0,
        batches: 0,
        skipped: true,
      });
    } finally {
      await holder.query("SELECT pg_advisory_unlock($1)", [0x7265_7465]);
      holder.release();
    }
  });
});
