// The rebuild gives the rollup that ingest kept, from the connections alone.
import { beforeEach, expect, it } from "vitest";
import { db } from "../db/client";
import { ingest } from "../ingest/index";
import { resetDatabase } from "../../test/support/db";
import { connected, disconnected, envelope, subscribed } from "../../test/support/events";
import { rebuildAvailability } from "./rebuild";

const H = 3_600_000;
const D0 = Date.UTC(2026, 10, 2);

beforeEach(resetDatabase);

async function snapshot() {
  const segments = await db().pool.query(
    "SELECT client_id, starts_at, ends_at FROM availability_segment ORDER BY 1, 2",
  );
  const days = await db().pool.query(
    "SELECT client_id, day::text, online_ms::float8, disconnects FROM availability_day ORDER BY 1, 2",
  );
  return { segments: segments.rows, days: days.rows };
}

it("rebuilds the segments and days ingest keeps", async () => {
  const events = [
    connected("a", D0 - 30 * H, 1),
    disconnected("a", D0 + 3 * H, 1),
    connected("a", D0 + 5 * H, 2),
    connected("a", D0 + 50 * H, 3),
    subscribed("b", D0 + 0.5 * H, ["t"]),
    connected("b", D0 + 1 * H, 4),
    disconnected("b", D0 + 2 * H, 4),
  ];
  await ingest(JSON.stringify(events.map(envelope)));
  const kept = await snapshot();
  expect(kept.days.length).toBeGreaterThan(3);
  await db().pool.query("TRUNCATE availability_segment, availability_day");
  expect(await rebuildAvailability(db().pool)).toBe(2);
  expect(await snapshot()).toEqual(kept);
});
