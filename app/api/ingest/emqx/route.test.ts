import { beforeEach, describe, expect, it } from "vitest";
import { EmqxMapper } from "@/lib/bridge/emqx";
import { db } from "@/lib/db/client";
import { resetDatabase } from "@/test/support/db";
import { expectOrderFree, settledStart, vendorPost } from "@/test/support/source-routes";
import { emqxClientConnected, emqxClientDisconnected } from "@/test/support/vendor-payloads";
import { POST } from "./route";

const PATH = "/api/ingest/emqx";
const T0 = settledStart();

const post = vendorPost(POST, PATH);

beforeEach(resetDatabase);

describe("POST /api/ingest/emqx: EMQX data integration events", () => {
  it("gives the same fleet in any order with duplicates", async () => {
    const messages = [
      emqxClientConnected("emqtt-1", T0),
      emqxClientDisconnected("emqtt-1", T0, T0 + 40_000, "keepalive_timeout"),
      emqxClientConnected("emqtt-1", T0 + 42_000),
      emqxClientConnected("sensor/9", T0 + 1_000),
      emqxClientDisconnected("sensor/9", T0 + 1_000, T0 + 9_000, "normal"),
    ];
    const fleet = await expectOrderFree(messages, (m) => post(m));
    expect(fleet.map((c) => [c.clientId, c.status, c.disconnectReason, c.source])).toEqual([
      ["emqtt-1", "online", null, "emqx"],
      ["sensor/9", "offline", "CLIENT_INITIATED_DISCONNECT", "emqx"],
    ]);
  }, 60_000);

  it("stores an event as the $SYS bridge mapping does (one mapping, two forms)", async () => {
    const event = emqxClientConnected("emqtt-2", T0);
    await post(event);
    const viaBridge = new EmqxMapper().map(
      `$SYS/brokers/${event.node}/clients/emqtt-2/connected`,
      JSON.stringify(event),
    )!;
    const stored = await db().pool.query<{ raw: unknown }>("SELECT raw FROM lifecycle_event");
    expect(stored.rows.map((r) => r.raw)).toEqual([JSON.parse(viaBridge.payload)]);
  });

  it("names what it cannot map and quarantines it", async () => {
    const response = await post([
      { ...emqxClientConnected("a", T0), event: "session.subscribed" },
      { ...emqxClientDisconnected("a", T0, T0 + 1), disconnected_at: "soon", timestamp: null },
    ]);
    expect(await response.json()).toEqual({
      accepted: 0,
      duplicates: 0,
      rejected: [
        {
          index: 0,
          error: 'event "session.subscribed" is not client.connected or client.disconnected',
        },
        { index: 1, error: "disconnected_at or timestamp must be a number (ms since epoch)" },
      ],
    });
  });

  it("refuses events without the ingest token", async () => {
    expect((await post(emqxClientConnected("a", T0), { token: null })).status).toBe(401);
  });
});
