// Ingest's overlap rows (lib/clients/overlap-sql.ts, overlapApplyCtes)
// equal a rebuild's (REBUILD_OVERLAPS_SQL) after every batch, not only at
// the end as in as-of-rollup.test.ts: longer histories, small batches and a
// coarse clock, so that both of ingest's ways are taken (the client's newest
// connections read at once, or probes per key when the batch reaches further
// back), the current connection is older than the newest ones, and
// connections tie on their time where the newest read end.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../db/client";
import type { LifecycleEvent } from "../presence/types";
import { ingest } from "../ingest";
import { resetDatabaseWithRollup } from "../../test/support/rollup-db";
import { batchedDeliveryArbitrary, CLOCKS, inBatches } from "../../test/support/batches";
import { connected, disconnected, envelope, eventEnvelope } from "../../test/support/events";
import { latestTimestamp } from "../../test/support/presence-arbitraries";
import { runs } from "../../test/support/runs";
import { REBUILD_OVERLAPS_SQL } from "./overlap-sql";

const row = `concat_ws(' ', client_id, kind, x_conn_time, starts_at, ends_at)`;

/** The overlap rows ingest kept, and a rebuild's from the same connections (rolled back). */
async function keptAndRebuilt(): Promise<[string[], string[]]> {
  const client = await db().pool.connect();
  try {
    await client.query("BEGIN");
    const kept = await client.query<{ r: string }>(
      `SELECT ${row} AS r FROM presence_overlap ORDER BY 1`,
    );
    await client.query("DELETE FROM presence_overlap");
    await client.query(REBUILD_OVERLAPS_SQL.text, REBUILD_OVERLAPS_SQL.values);
    const rebuilt = await client.query<{ r: string }>(
      `SELECT ${row} AS r FROM presence_overlap ORDER BY 1`,
    );
    return [kept.rows.map((x) => x.r), rebuilt.rows.map((x) => x.r)];
  } finally {
    await client.query("ROLLBACK");
    client.release();
  }
}

async function ingestEach(batches: readonly LifecycleEvent[][]) {
  for (const batch of batches) {
    if (batch.length === 0) continue;
    const result = await ingest(
      JSON.stringify(batch.map(eventEnvelope)),
      new Date(latestTimestamp(batch) + 1_000),
    );
    expect(result.rejected).toEqual([]);
    const [kept, rebuilt] = await keptAndRebuilt();
    expect(kept).toEqual(rebuilt);
  }
}

beforeEach(resetDatabaseWithRollup);

describe("ingest's overlap rows ↔ the rebuild's", () => {
  it.each(CLOCKS)(
    "agree after every batch of any delivery ($clock)",
    async ({ options }) => {
      await fc.assert(
        fc.asyncProperty(
          batchedDeliveryArbitrary({ maxClients: 3, maxConnectionsPerClient: 8, ...options }),
          async ([, delivery, sizes]) => {
            await resetDatabaseWithRollup();
            await ingestEach(inBatches(delivery, sizes));
          },
        ),
        { numRuns: runs(60) },
      );
    },
    300_000,
  );

  it("keep the row of a current connection older than the newest ones", async () => {
    // v5 stays open and current (the highest version within the reset
    // window); v3 and v4 come after it, so it overlaps them. The second batch
    // adds a connection after v4 only: the client's newest connections no
    // longer include v5, whose row must stay.
    const t0 = Date.UTC(2026, 2, 10, 12, 0, 0);
    const send = async (events: ReturnType<typeof connected>[]) => {
      await ingest(JSON.stringify(events.map(envelope)), new Date(t0 + 3_600_000));
      const [kept, rebuilt] = await keptAndRebuilt();
      expect(kept).toEqual(rebuilt);
      return kept;
    };
    const first = await send([
      connected("a", t0, 5),
      connected("a", t0 + 10_000, 3),
      disconnected("a", t0 + 12_000, 3),
      connected("a", t0 + 20_000, 4),
      disconnected("a", t0 + 22_000, 4),
    ]);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatch(/^a current /);
    expect(await send([connected("a", t0 + 30_000, 2), disconnected("a", t0 + 31_000, 2)])).toEqual(
      first,
    );
  });

  it("keep the rows of connections tied on their time with the predecessor", async () => {
    // v1..v3 start at the same instant, each overlapping the next; v4 after
    // them. A later disconnect of v4 reaches back to v3, whose time v1 and v2
    // share: not all of them are among the client's newest three, and v1's
    // and v2's rows must stay.
    const t0 = Date.UTC(2026, 2, 10, 12, 0, 0);
    const at = new Date(t0 + 3_600_000);
    await ingest(
      JSON.stringify(
        [
          connected("b", t0, 1),
          disconnected("b", t0 + 90_000, 1),
          connected("b", t0, 2),
          disconnected("b", t0 + 95_000, 2),
          connected("b", t0, 3),
          disconnected("b", t0 + 100_000, 3),
          connected("b", t0 + 60_000, 4),
          disconnected("b", t0 + 61_000, 4),
        ].map(envelope),
      ),
      at,
    );
    const [first, rebuilt] = await keptAndRebuilt();
    expect(first).toEqual(rebuilt);
    expect(first).toHaveLength(3);
    await ingest(JSON.stringify([disconnected("b", t0 + 70_000, 4)].map(envelope)), at);
    expect(await keptAndRebuilt()).toEqual([first, first]);
  });

  it("drop the row of a predecessor whose successor's connect is stamped after its disconnect", async () => {
    // v5 is first known by its disconnect, at 15:00, which makes it v4's
    // successor, overlapped by v4's disconnect at 15:01. v5's connect comes
    // last, stamped after its disconnect (clocks): v5 moves later, past v6,
    // which is now v4's successor, after v4's disconnect. v4's row goes
    // (main before this test kept it: its scope began at v5's new place).
    const t0 = Date.UTC(2026, 2, 10, 15, 0, 0);
    const at = new Date(t0 + 3_600_000);
    const send = async (events: ReturnType<typeof connected>[]) => {
      await ingest(JSON.stringify(events.map(envelope)), at);
      const [kept, rebuilt] = await keptAndRebuilt();
      expect(kept).toEqual(rebuilt);
      return kept;
    };
    await send([connected("d", t0 - 600_000, 4)]);
    await send([disconnected("d", t0, 5)]);
    expect(await send([disconnected("d", t0 + 60_000, 4)])).toHaveLength(1);
    await send([connected("d", t0 + 120_000, 6)]);
    // Left: v6's row, current and open with v5 after it.
    expect(await send([connected("d", t0 + 180_000, 5)])).toEqual([
      expect.stringMatching(/^d current /),
    ]);
  });

  it("keep the row of a connection tied with the oldest of the newest ones read", async () => {
    // v1 and v2 start at the same instant (v1 overlapping v2), then v3, v4,
    // v5. A later disconnect of v3 reaches back to v2; of the two at v2's
    // time ingest reads v2 among the newest four, not v1, whose row must stay.
    const t0 = Date.UTC(2026, 2, 10, 12, 0, 0);
    const at = new Date(t0 + 3_600_000);
    await ingest(
      JSON.stringify(
        [
          connected("c", t0, 1),
          disconnected("c", t0 + 100_000, 1),
          connected("c", t0, 2),
          disconnected("c", t0 + 5_000, 2),
          connected("c", t0 + 30_000, 3),
          disconnected("c", t0 + 35_000, 3),
          connected("c", t0 + 60_000, 4),
          disconnected("c", t0 + 65_000, 4),
          connected("c", t0 + 120_000, 5),
          disconnected("c", t0 + 125_000, 5),
        ].map(envelope),
      ),
      at,
    );
    const [first, rebuilt] = await keptAndRebuilt();
    expect(first).toEqual(rebuilt);
    expect(first).toHaveLength(1);
    await ingest(JSON.stringify([disconnected("c", t0 + 40_000, 3)].map(envelope)), at);
    expect(await keptAndRebuilt()).toEqual([first, first]);
  });
});
