// GET /api/export/clients.csv (issue #19): the fleet table as CSV, with the
// list's filters and order, exact rows, and its export slot given back.
import { parse } from "csv-parse/sync";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { runningExports } from "@/lib/export/limits";
import { csvAttachmentRows } from "@/test/support/csv";
import { resetDatabase } from "@/test/support/db";
import { connected, disconnected, envelope } from "@/test/support/events";
import { BASE, ingestRequest, viewerRequest } from "@/test/support/routes";
import { POST as ingest } from "../../ingest/route";
import { GET as listClients } from "../../clients/route";
import { GET as clientsCsv } from "./route";

const HEADER =
  "clientId,status,flapping,since,lastConnectedAt,lastDisconnectedAt,disconnectReason,clientInitiatedDisconnect,principalIdentifier,ipAddress,sessionIdentifier,subscriptionCount,lastEventAt,label:floor,label:site";
const T = Date.UTC(2026, 10, 20, 12, 0, 0);
const NOW = Date.now();

beforeEach(async () => {
  await resetDatabase();
  const events = [
    envelope(connected("dev-a", T, 1)),
    envelope(connected("=dev-b", T + 1_000, 1, { principalIdentifier: "-evil" })),
    envelope(
      disconnected("=dev-b", T + 61_000, 1, {
        disconnectReason: "CONNECTION_LOST",
        clientInitiatedDisconnect: false,
      }),
    ),
  ];
  // Five disconnects within the flap window: flapping (FLAP_THRESHOLD 5).
  for (let v = 1; v <= 5; v += 1) {
    events.push(envelope(connected("dev-flap", NOW - 300_000 + v * 4_000, v)));
    events.push(envelope(disconnected("dev-flap", NOW - 300_000 + v * 4_000 + 1_000, v)));
  }
  const r = await ingest(ingestRequest(events));
  expect(r.status).toBe(200);
  await db().pool.query(
    `INSERT INTO client_label (client_id, key, value) VALUES
       ('dev-a', 'site', 'berlin'), ('=dev-b', 'site', 'paris'), ('=dev-b', 'floor', '+2'),
       ('never-seen', 'site', 'berlin')`,
  );
});

async function csv(search: string): Promise<{ text: string; rows: Record<string, string>[] }> {
  const response = await clientsCsv(viewerRequest(`${BASE}/api/export/clients.csv${search}`));
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, rows: parse<Record<string, string>>(text, { columns: true }) };
}

describe("GET /api/export/clients.csv", () => {
  it("streams the fleet table: status, labels one column per key, formulas neutralised", async () => {
    const response = await clientsCsv(
      viewerRequest(`${BASE}/api/export/clients.csv?sort=clientId`),
    );
    const rows = await csvAttachmentRows(response, "fleet-clients", HEADER);
    // The labelled client never seen is a row of the table too, as the list shows it.
    expect(rows.map((r) => r.clientId)).toEqual(["'=dev-b", "dev-a", "dev-flap", "never-seen"]);
    expect(rows[0]).toEqual({
      clientId: "'=dev-b",
      status: "offline",
      flapping: "false",
      since: new Date(T + 61_000).toISOString(),
      lastConnectedAt: new Date(T + 1_000).toISOString(),
      lastDisconnectedAt: new Date(T + 61_000).toISOString(),
      disconnectReason: "CONNECTION_LOST",
      clientInitiatedDisconnect: "false",
      principalIdentifier: "'-evil",
      ipAddress: "192.0.2.10",
      sessionIdentifier: "session-=dev-b",
      subscriptionCount: "0",
      lastEventAt: new Date(T + 61_000).toISOString(),
      "label:floor": "'+2",
      "label:site": "paris",
    });
    expect(rows[1]).toEqual({
      clientId: "dev-a",
      status: "online",
      flapping: "false",
      since: new Date(T).toISOString(),
      lastConnectedAt: new Date(T).toISOString(),
      lastDisconnectedAt: "",
      disconnectReason: "",
      clientInitiatedDisconnect: "",
      principalIdentifier: "principal-dev-a",
      ipAddress: "192.0.2.10",
      sessionIdentifier: "session-dev-a",
      subscriptionCount: "0",
      lastEventAt: new Date(T).toISOString(),
      "label:floor": "",
      "label:site": "berlin",
    });
    expect(rows[2]).toMatchObject({ clientId: "dev-flap", flapping: "true", "label:site": "" });
    expect(rows[3]).toMatchObject({
      clientId: "never-seen",
      status: "never_seen",
      lastEventAt: "",
      "label:site": "berlin",
    });
    expect(runningExports()).toBe(0);
  });

  it.each([
    "?status=online",
    "?status=offline",
    "?status=never_seen",
    "?label=site:paris",
    "?label=site:berlin",
    "?q=flap",
    "?flapping=true",
    "?flapping=false&sort=clientId&order=desc",
    "?sort=lastChange&order=asc",
    "?sort=lastChange&order=desc",
    "?sort=clientId&order=asc",
    "",
  ])("lists the clients GET /api/clients lists, in its order (%s)", async (search) => {
    const list = (await (
      await listClients(viewerRequest(`${BASE}/api/clients${search}${search ? "&" : "?"}limit=500`))
    ).json()) as { items: { clientId: string; status: string; labels: Record<string, string> }[] };
    const { rows } = await csv(search);
    const unneutralised = (id: string) => id.replace(/^'(?=[=+\-@])/, "");
    expect(rows.map((r) => unneutralised(r.clientId ?? ""))).toEqual(
      list.items.map((c) => c.clientId),
    );
    expect(rows.map((r) => r.status)).toEqual(list.items.map((c) => c.status));
  });

  it("only the header (with no label columns) when nothing matches", async () => {
    const { text } = await csv("?q=nothing-matches-this");
    expect(text).toBe(`${HEADER.split(",label:")[0]}\r\n`);
  });

  it("400 naming the parameter for a bad filter", async () => {
    const r = await clientsCsv(viewerRequest(`${BASE}/api/export/clients.csv?status=sleepy`));
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({
      error: { code: "invalid_query", message: expect.stringMatching(/^status: /) },
    });
  });

  it("401 without a viewer", async () => {
    const r = await clientsCsv(new Request(`${BASE}/api/export/clients.csv`));
    expect(r.status).toBe(401);
  });
});
