// The bridge is not a device: its own lifecycle events (the broker reports
// every connection) are kept, but it is no member of the fleet.
import { beforeEach, describe, expect, it } from "vitest";
import { POST as ingest } from "@/app/api/ingest/route";
import { fleetConnectionsCsv } from "@/lib/export/connections-csv";
import { onlineHistory } from "@/lib/stats/online-history";
import { OnlineHistoryQuery } from "@/lib/stats/schemas";
import { clientsByIds } from "@/lib/stream/changed-clients";
import { resetDatabase } from "@/test/support/db";
import { connected, envelope } from "@/test/support/events";
import { ingestRequest } from "@/test/support/routes";
import { getClient } from "./get";
import { globToLike, isInfrastructureClient } from "./infrastructure";
import { countClients, listClients } from "./list";
import { ExportQuery, ListClientsQuery } from "./schemas";

const BRIDGE = "fleet-presence-bridge-ci-host";
const DEVICES = ["sensor-1", "sensor-2"];

beforeEach(async () => {
  await resetDatabase();
  const at = Date.now() - 60_000;
  const r = await ingest(
    ingestRequest([BRIDGE, ...DEVICES].map((id, i) => envelope(connected(id, at + i, 1)))),
  );
  expect(r.status).toBe(200);
});

describe("infrastructure clients", () => {
  it("are left out of the list, the counts, the stream, the chart and the export", async () => {
    const page = await listClients(ListClientsQuery.parse({}));
    expect(page.items.map((c) => c.clientId).sort()).toEqual(DEVICES);
    expect(page.counts).toMatchObject({ online: 2, total: 2 });
    expect(await countClients({ q: "fleet-presence" })).toMatchObject({ total: 0 });
    const streamed = await clientsByIds([BRIDGE, ...DEVICES]);
    expect(streamed.map((c) => c.clientId).sort()).toEqual(DEVICES);
    const chart = await onlineHistory(OnlineHistoryQuery.parse({ range: "24h" }));
    expect(chart.points.at(-1)!.online).toBe(2);
    const csv = await new Response(
      await fleetConnectionsCsv(ExportQuery.parse({}), "infrastructure-test"),
    ).text();
    expect(csv).not.toContain(BRIDGE);
    expect(csv.trim().split("\n")).toHaveLength(1 + DEVICES.length);
  });

  it("keep their own page, which says what they are", async () => {
    expect(await getClient(BRIDGE)).toMatchObject({ status: "online", infrastructure: true });
    expect(await getClient("sensor-1")).toMatchObject({ infrastructure: false });
  });

  it("are chosen by INFRASTRUCTURE_CLIENT_IDS globs, taken literally but for *", async () => {
    const env = { INFRASTRUCTURE_CLIENT_IDS: "svc-*, gw_1 ,a%b" };
    expect(isInfrastructureClient("svc-anything/x", env)).toBe(true);
    expect(isInfrastructureClient("gw_1", env)).toBe(true);
    expect(isInfrastructureClient("gwx1", env)).toBe(false); // _ is no wildcard
    expect(isInfrastructureClient("a%b", env)).toBe(true);
    expect(isInfrastructureClient("axxb", env)).toBe(false);
    expect(isInfrastructureClient(BRIDGE, {})).toBe(true); // the default: the bridge's own ID
    expect(isInfrastructureClient(BRIDGE, { INFRASTRUCTURE_CLIENT_IDS: "" })).toBe(false);
    expect(globToLike("a%b_c\\*")).toBe("a\\%b\\_c\\\\%");
  });
});
