import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "@/test/support/db";
import { connected, disconnected, envelope } from "@/test/support/events";
import { BASE, ingestRequest } from "@/test/support/routes";
import { POST as ingest } from "../../ingest/route";
import { GET as summary } from "../summary/route";
import { GET as online } from "./route";

const HOUR = 3_600_000;

async function post(items: unknown[]) {
  const r = await ingest(ingestRequest(items));
  expect(r.status).toBe(200);
}

interface History {
  points: { at: string; online: number }[];
  stepSeconds: number;
}

/** The chart's value at the sample closest to `t`. */
function at(history: History, t: number): number {
  let best = history.points[0]!;
  for (const p of history.points) {
    if (Math.abs(Date.parse(p.at) - t) < Math.abs(Date.parse(best.at) - t)) best = p;
  }
  return best.online;
}

beforeEach(resetDatabase);

describe("GET /api/stats/online", () => {
  it("counts connections open at each sample, inferring lost disconnects from the next connection", async () => {
    const now = Date.now();
    await post([
      // a: online for the whole day.
      envelope(connected("a", now - 30 * HOUR, 1)),
      // b: online from -10 h to -5 h.
      envelope(connected("b", now - 10 * HOUR, 1)),
      envelope(disconnected("b", now - 5 * HOUR, 1)),
      // c: its first disconnect was lost; the reconnect at -2 h ends it; online since.
      envelope(connected("c", now - 8 * HOUR, 1)),
      envelope(connected("c", now - 2 * HOUR, 2)),
      // d: only a disconnect, never known to be online.
      envelope(disconnected("d", now - 3 * HOUR, 4)),
    ]);
    const response = await online(new Request(`${BASE}/api/stats/online?range=24h`));
    expect(response.status).toBe(200);
    const history = (await response.json()) as History;
    expect(history.stepSeconds).toBe(900);
    expect(history.points).toHaveLength(97);
    expect(at(history, now - 20 * HOUR)).toBe(1); // a
    expect(at(history, now - 9 * HOUR)).toBe(2); // a, b
    expect(at(history, now - 7 * HOUR)).toBe(3); // a, b, c
    expect(at(history, now - 4 * HOUR)).toBe(2); // a, c (inferred still open until -2 h)
    expect(at(history, now - 1 * HOUR)).toBe(2); // a, c v2
    // The last sample is now, and agrees with the counters.
    const counts = (await (await summary(new Request(`${BASE}/api/stats/summary`))).json()) as {
      online: number;
    };
    expect(history.points.at(-1)!.online).toBe(counts.online);
  });

  it("counts a client once when a lower version, timestamped later within clock skew, lost its disconnect", async () => {
    const now = Date.now();
    await post([
      envelope(connected("skew", now - 2 * HOUR, 5)),
      // v3 came before v5 (versions say so) but its clock reads a minute later.
      envelope(connected("skew", now - 2 * HOUR + 60_000, 3)),
    ]);
    const history = (await (
      await online(new Request(`${BASE}/api/stats/online?range=24h`))
    ).json()) as History;
    expect(at(history, now - HOUR)).toBe(1);
    const counts = (await (await summary(new Request(`${BASE}/api/stats/summary`))).json()) as {
      online: number;
    };
    expect(counts.online).toBe(1);
    expect(history.points.at(-1)!.online).toBe(1);
  });

  it("rejects an unknown range with the error contract", async () => {
    const response = await online(new Request(`${BASE}/api/stats/online?range=1y`));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: "invalid_query", message: expect.stringContaining("range") },
    });
  });
});
