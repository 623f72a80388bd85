import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { countRows, resetDatabase } from "@/test/support/db";
import {
  expectOrderFree,
  vendorRequest,
  settledStart,
  vendorPost,
} from "@/test/support/source-routes";
import {
  AZURE_DOC_SEQUENCE,
  azureDeviceEvents,
  azureEventGridEvent,
  azureValidationEvent,
} from "@/test/support/vendor-payloads";
import { OPTIONS, POST } from "./route";

const PATH = "/api/ingest/azure";
const T0 = settledStart();
const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "1234Z");

/** Sequence numbers after the documented one, in order. */
const seq = (n: number) =>
  (BigInt(`0x${AZURE_DOC_SEQUENCE}`) + BigInt(n)).toString(16).toUpperCase().padStart(64, "0");

const post = vendorPost(POST, PATH);

/** Device d's first connect, in Event Grid's schema. */
const firstConnect = () =>
  azureEventGridEvent("DeviceConnected", {
    deviceId: "d",
    sequenceNumber: seq(1),
    eventTime: iso(T0),
    id: "1",
  });

beforeEach(resetDatabase);

describe("POST /api/ingest/azure: Event Grid's handshakes", () => {
  it("answers the subscription validation event with its code, without a token", async () => {
    const response = await post(azureValidationEvent, {
      token: null,
      headers: { "aeg-event-type": "SubscriptionValidation" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
    });
  });

  it("refuses a validation request that carries no validation event", async () => {
    const response = await post([{ eventType: "Microsoft.Devices.DeviceConnected" }], {
      token: null,
      headers: { "aeg-event-type": "SubscriptionValidation" },
    });
    expect(response.status).toBe(400);
  });

  it("allows the CloudEvents webhook origin (OPTIONS), and refuses a malformed one", async () => {
    const ok = OPTIONS(
      vendorRequest(PATH, "", {
        method: "OPTIONS",
        token: null,
        headers: { "WebHook-Request-Origin": "eventgrid.azure.net" },
      }),
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
    const bad = OPTIONS(new Request(`http://fleet.test${PATH}`, { method: "OPTIONS" }));
    expect(bad.status).toBe(400);
  });

  it("refuses events without the ingest token", async () => {
    const event = firstConnect();
    expect((await post([event], { token: null })).status).toBe(401);
    expect(await countRows("lifecycle_event")).toBe(0);
  });
});

describe("POST /api/ingest/azure: connection state events", () => {
  it("gives the same fleet in any order with duplicates, in both schemas", async () => {
    const device = (deviceId: string, moduleId?: string) =>
      azureDeviceEvents({ sequence: seq, time: iso }, deviceId, moduleId);
    const pump = device("LogicAppTestDevice");
    const edgeModule = device("LogicAppTestDevice", "DeviceModuleID");
    const valve = device("valve-7");
    const messages = [
      pump("DeviceConnected", 1, T0),
      pump("DeviceDisconnected", 2, T0 + 30_000),
      // A reconnect in the same millisecond: only the sequence number orders them.
      pump("DeviceConnected", 3, T0 + 30_000, true),
      edgeModule("DeviceConnected", 1, T0 + 5_000, true),
      edgeModule("DeviceDisconnected", 4, T0 + 50_000),
      valve("DeviceConnected", 10, T0 + 1_000),
    ];
    const fleet = await expectOrderFree(messages, (m) =>
      post(
        m,
        Array.isArray(m) ? {} : { headers: { "Content-Type": "application/cloudevents+json" } },
      ),
    );
    expect(
      fleet.map((c) => [c.clientId, c.status, c.sessionIdentifier, c.source, c.thingName]),
    ).toEqual([
      ["LogicAppTestDevice", "online", `azure:${seq(3)}`, "azure", "LogicAppTestDevice"],
      [
        "LogicAppTestDevice/DeviceModuleID",
        "offline",
        `azure:${seq(4)}`,
        "azure",
        "LogicAppTestDevice",
      ],
      ["valve-7", "online", `azure:${seq(10)}`, "azure", "valve-7"],
    ]);
  }, 60_000);

  it("quarantines events it cannot map, naming why, and stores the rest", async () => {
    const good = firstConnect();
    const telemetry = { ...good, eventType: "Microsoft.Devices.DeviceTelemetry" };
    const response = await post([good, telemetry]);
    expect(await response.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        {
          index: 1,
          error:
            'event type "Microsoft.Devices.DeviceTelemetry" is not Microsoft.Devices.DeviceConnected or Microsoft.Devices.DeviceDisconnected',
        },
      ],
    });
    const raw = await db().pool.query<{ raw: string }>("SELECT raw FROM quarantined_event");
    expect(JSON.parse(raw.rows[0]!.raw)).toEqual(telemetry);
  });
});
