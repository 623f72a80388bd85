import { beforeEach, describe, expect, it } from "vitest";
import { listEvents } from "../clients/events";
import { db } from "../db/client";
import { ingest } from "../ingest";
import { resetDatabase } from "../../test/support/db";
import { connected, disconnected, envelope } from "../../test/support/events";
import { ensureEventPartitions, monthStart, partitionName } from "./event-partitions";
import { retentionConfig, runRetention } from "./run";

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date();
const envOf = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

async function partitionsOf(clientId: string): Promise<string[]> {
  const r = await db().pool.query<{ partition: string }>(
    `SELECT tableoid::regclass::text AS partition FROM lifecycle_event WHERE client_id = $1 ORDER BY id`,
    [clientId],
  );
  return r.rows.map((row) => row.partition);
}

async function children(): Promise<string[]> {
  const r = await db().pool.query<{ name: string }>(
    `SELECT inhrelid::regclass::text AS name FROM pg_inherits
      WHERE inhparent = 'lifecycle_event'::regclass`,
  );
  return r.rows.map((row) => row.name);
}

beforeEach(resetDatabase);

describe("month arithmetic", () => {
  it("rolls over years both ways, in UTC", () => {
    const at = new Date("2026-12-31T23:59:59.999Z");
    expect(monthStart(at)).toEqual(new Date("2026-12-01T00:00:00Z"));
    expect(monthStart(at, 1)).toEqual(new Date("2027-01-01T00:00:00Z"));
    expect(monthStart(at, -12)).toEqual(new Date("2025-12-01T00:00:00Z"));
    expect(partitionName(monthStart(at, 1))).toBe("lifecycle_event_2027_01");
    expect(partitionName(monthStart(at, -3))).toBe("lifecycle_event_2026_09");
  });

  it("names a bad setting", () => {
    expect(() => retentionConfig(envOf({ EVENT_PARTITION_MONTHS_AHEAD: "0" }))).toThrow(
      /EVENT_PARTITION_MONTHS_AHEAD/,
    );
    expect(retentionConfig(envOf({})).monthsAhead).toBe(2);
  });
});

describe("the partitioned event log", () => {
  it("stores a far-past event in the default partition, serves it, and still dedupes", async () => {
    const body = JSON.stringify([
      envelope(connected("wild-clock", Date.UTC(2001, 0, 1), 1)),
      envelope(connected("wild-clock", NOW.getTime() - 1_000, 2)),
    ]);
    expect(await ingest(body)).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(await partitionsOf("wild-clock")).toEqual([
      "lifecycle_event_default",
      partitionName(monthStart(NOW)),
    ]);
    const page = await listEvents("wild-clock", { limit: 10 });
    expect(page.items.map((e) => e.timestamp)).toEqual([
      new Date(NOW.getTime() - 1_000).toISOString(),
      "2001-01-01T00:00:00.000Z",
    ]);
    expect(await ingest(body)).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(await partitionsOf("wild-clock")).toHaveLength(2);
  });

  it("creates a month holding default rows, then retention drops it whole", async () => {
    const past = new Date(NOW.getTime() - 100 * DAY);
    await ingest(
      JSON.stringify([
        envelope(connected("old", past.getTime(), 1)),
        envelope(disconnected("old", past.getTime() + 1_000, 1)),
        envelope(connected("fresh", NOW.getTime() - DAY, 1)),
      ]),
    );
    expect(await partitionsOf("old")).toEqual([
      "lifecycle_event_default",
      "lifecycle_event_default",
    ]);
    const client = await db().pool.connect();
    try {
      // Months before the current one only where the default partition holds rows.
      const empty = monthStart(past, -1);
      expect(await ensureEventPartitions(client, { from: empty, through: past })).toEqual([
        partitionName(monthStart(past)),
      ]);
    } finally {
      client.release();
    }
    expect(await partitionsOf("old")).toEqual([
      partitionName(monthStart(past)),
      partitionName(monthStart(past)),
    ]);

    const result = await runRetention(db().pool, { days: 30, monthsAhead: 2, pauseMs: 0 });
    expect(result.dropped).toContain(partitionName(monthStart(past)));
    expect(result.deleted).toBe(0); // nothing expired was left outside a dropped month
    expect(await children()).not.toContain(partitionName(monthStart(past)));
    expect(await children()).toEqual(
      expect.arrayContaining([0, 1, 2].map((k) => partitionName(monthStart(NOW, k)))),
    );
    expect(await partitionsOf("old")).toEqual([]);
    expect(await partitionsOf("fresh")).toHaveLength(1);
    // The next run finds its work done.
    expect(await runRetention(db().pool, { days: 30, monthsAhead: 2 })).toMatchObject({
      created: [],
      dropped: [],
      deleted: 0,
    });
  });
});
