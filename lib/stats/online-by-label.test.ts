// The online chart split by a label key holds to the fleet's chart: for any
// history and any labelling, each value's series equals onlineHistory filtered
// by that `key:value` (itself held to the model in online-history.test.ts),
// and the values come in the label facet's order.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { ingest } from "../ingest";
import { TOPIC_PREFIXES } from "../ingest/schemas";
import { putLabels } from "../labels/client-labels";
import { labelFacet } from "../labels/facet";
import { historyArbitrary, latestTimestamp } from "../../test/support/presence-arbitraries";
import { resetDatabase } from "../../test/support/db";
import { runs } from "@/test/support/runs";
import { onlineByLabel } from "./online-by-label";
import { onlineHistory } from "./online-history";
import type { HistoryRange } from "./schemas";
import { eventEnvelope } from "../../test/support/events";

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
const SITES = ["berlin", "paris", "oslo"];

async function expectSeriesMatchFilteredCharts(
  range: HistoryRange,
  label?: { key: string; value: string }[],
) {
  const split = await onlineByLabel({ key: "site", range, label }, new Date(NOW));
  const facet = await labelFacet("site", new Date(NOW));
  // The facet without a filter: the split's order is the facet's for the same clients.
  if (label === undefined)
    expect(split.series.map((s) => s.value)).toEqual(facet.items.map((i) => i.value));
  const starts: string[] = [];
  for (const { value, points } of split.series) {
    const filtered = await onlineHistory(
      { range, label: [...(label ?? []), { key: "site", value }] },
      new Date(NOW),
    );
    expect({ range, value, points }).toEqual({ range, value, points: filtered.points });
    expect(split.from).toBe(filtered.from);
    expect(split.stepSeconds).toBe(filtered.stepSeconds);
    if (filtered.dataFrom !== null) starts.push(filtered.dataFrom);
  }
  // Where drawing starts: the earliest of the filtered charts' (ISO times sort as text).
  expect(split.dataFrom).toBe(starts.length === 0 ? null : starts.sort()[0]);
}

beforeEach(resetDatabase);

describe("onlineByLabel ↔ onlineHistory with a label filter", () => {
  it("each value's series is the chart filtered by that value, for any history and labelling", async () => {
    await fc.assert(
      fc.asyncProperty(
        historyArbitrary({ maxClients: 6, maxConnectionsPerClient: 5 }),
        // Where the history ends: within the last two days, so spans cross `from` or `now`.
        fc.integer({ min: -48 * HOUR, max: 0 }),
        // Per client (by position): a site, another key only, or nothing; plus a `tier` to filter by.
        fc.array(fc.tuple(fc.constantFrom(...SITES, "other-key", "none"), fc.boolean()), {
          minLength: 6,
          maxLength: 6,
        }),
        async (history, end, labelling) => {
          await resetDatabase();
          const by = NOW + end - latestTimestamp(history);
          const events = history.map((e) => ({ ...e, timestamp: e.timestamp + by }));
          const result = await ingest(
            JSON.stringify(events.map(eventEnvelope)),
            new Date(Math.max(NOW, latestTimestamp(events)) + 1_000),
          );
          expect(result.rejected).toEqual([]);
          const clients = [...new Set(events.map((e) => e.clientId))];
          for (const [i, clientId] of clients.entries()) {
            const [site, gold] = labelling[i]!;
            const labels: Record<string, string> = gold ? { tier: "gold" } : {};
            if (site === "other-key") labels.region = "eu";
            else if (site !== "none") labels.site = site;
            await putLabels(clientId, labels);
          }
          for (const range of ["24h", "7d"] as const) await expectSeriesMatchFilteredCharts(range);
          await expectSeriesMatchFilteredCharts("24h", [{ key: "tier", value: "gold" }]);
        },
      ),
      { numRuns: runs(40) },
    );
  }, 300_000);

  it("answers no series for a key no client carries, and only the top values otherwise", async () => {
    const empty = await onlineByLabel({ key: "site", range: "24h" }, new Date(NOW));
    expect(empty.series).toEqual([]);
    const events = Array.from({ length: 14 }, (_, i) => ({
      topic: `${TOPIC_PREFIXES.connected}d${i}`,
      payload: {
        clientId: `d${i}`,
        eventType: "connected",
        timestamp: NOW - HOUR,
        sessionIdentifier: `s${i}`,
        principalIdentifier: "p",
        versionNumber: 1,
      },
    }));
    await ingest(JSON.stringify(events), new Date(NOW));
    // Site v0 on one client, v1 on two, …: the most common first, as the facet lists them.
    let n = 0;
    for (let v = 0; v < 4; v += 1)
      for (let k = 0; k <= v; k += 1) await putLabels(`d${n++ % 14}`, { site: `v${v}` });
    const split = await onlineByLabel({ key: "site", range: "24h" }, new Date(NOW));
    expect(split.series.map((s) => s.value)).toEqual(
      (await labelFacet("site", new Date(NOW))).items.map((i) => i.value),
    );
    const last = (value: string) => split.series.find((s) => s.value === value)?.points.at(-1);
    expect(split.series.reduce((sum, s) => sum + s.points.at(-1)!.online, 0)).toBe(
      (await labelFacet("site", new Date(NOW))).items.reduce((sum, i) => sum + i.online, 0),
    );
    expect(last("v3")?.online).toBeGreaterThan(0);
  });
});
