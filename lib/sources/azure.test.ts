// The Azure mapping keeps the model's convergence property and follows
// Azure's own order: over random per-device histories (strictly increasing
// sequence numbers, non-decreasing event times with ties), mapped and
// validated exactly as the route does, every delivery order with duplicates
// yields the same summaries as in-order delivery, and the current connection
// is always the event with the highest sequence number.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseItems } from "../ingest/parse";
import { foldEvents, summarize, type PresenceConfig } from "../presence";
import { deliveryArbitrary } from "../../test/support/presence-arbitraries";
import { azureCloudEvent, azureEventGridEvent } from "../../test/support/vendor-payloads";
import { allowedOrigin, mapAzureEvent, normalizeSequenceNumber, parseAzureBody } from "./azure";

const config: PresenceConfig = {
  offlineGraceMs: 30_000,
  flapThreshold: 5,
  flapWindowMs: 600_000,
  versionResetWindowMs: 600_000,
};

const T0 = Date.UTC(2026, 11, 4, 8, 0, 0);

interface AzurePlan {
  deviceId: string;
  moduleId: string | undefined;
  connected: boolean;
  /** Sequence number as a bigint (rendered as 64 hex digits). */
  sequence: bigint;
  /** Event time in 100 ns ticks after T0 (Azure's 7 fractional digits). */
  ticks: number;
  id: string;
  cloudEvents: boolean;
}

const DEVICES = [
  { deviceId: "pump-1", moduleId: undefined },
  { deviceId: "pump-1", moduleId: "edgeAgent" },
  { deviceId: "valve:7", moduleId: undefined },
];

/**
 * One device's history: steps that each advance the sequence number by a
 * random positive amount (anywhere in its 256 bits: the counter at the end
 * or the epoch in the middle) and the time by zero or more ticks.
 */
const deviceHistory = (device: (typeof DEVICES)[number], index: number) =>
  fc
    .array(
      fc.record({
        connected: fc.boolean(),
        seqStep: fc.oneof(
          fc.bigInt({ min: 1n, max: 5n }),
          fc.bigInt({ min: 1n, max: 5n }).map((n) => n << 96n),
          fc.bigInt({ min: 1n, max: 1n << 200n }),
        ),
        // Zero: several events in one tick; small: one millisecond; large: minutes.
        tickStep: fc.oneof(
          fc.constant(0),
          fc.integer({ min: 1, max: 20_000 }),
          fc.integer({ min: 0, max: 3e9 }),
        ),
        cloudEvents: fc.boolean(),
      }),
      { minLength: 1, maxLength: 8 },
    )
    .map((steps) => {
      let sequence = BigInt("0x1D4132452F67CE200000002") << 96n;
      let ticks = 0;
      return steps.map((step, i): AzurePlan => {
        sequence += step.seqStep;
        ticks += step.tickStep;
        return {
          ...device,
          connected: step.connected,
          sequence,
          ticks,
          id: `${index}-${i}`,
          cloudEvents: step.cloudEvents,
        };
      });
    });

const historyArbitrary = fc
  .subarray([0, 1, 2], { minLength: 1 })
  .chain((which) => fc.tuple(...which.map((i) => deviceHistory(DEVICES[i]!, i))))
  .map((perDevice) => perDevice.flat());

/** Azure's time format: whole seconds, then 7 fractional digits. */
function isoTicks(ticks: number): string {
  const seconds = Math.floor(ticks / 10_000_000);
  const fraction = String(ticks % 10_000_000).padStart(7, "0");
  return `${new Date(T0 + seconds * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

function vendorEvent(plan: AzurePlan) {
  const options = {
    deviceId: plan.deviceId,
    moduleId: plan.moduleId,
    sequenceNumber: plan.sequence.toString(16).toUpperCase().padStart(64, "0"),
    eventTime: isoTicks(plan.ticks),
    id: plan.id,
  };
  const type = plan.connected ? "DeviceConnected" : "DeviceDisconnected";
  return plan.cloudEvents ? azureCloudEvent(type, options) : azureEventGridEvent(type, options);
}

/** The route's path: map, validate, then the model's fold and read. */
function summaries(delivery: readonly unknown[], receivedAt: number, now: number) {
  const batch = parseItems(delivery.map(mapAzureEvent), receivedAt);
  expect(batch.rejected).toEqual([]);
  const folded = foldEvents(batch.accepted.map((a) => ({ event: a.event, receivedAt })));
  return new Map([...folded.values()].map((h) => [h.clientId, summarize(h, now, config)] as const));
}

describe("Azure IoT Hub events through the model", () => {
  it("converge in any order with duplicates, and the highest sequence number decides", () => {
    fc.assert(
      fc.property(
        historyArbitrary.chain((plans) =>
          fc.record({
            plans: fc.constant(plans),
            delivery: deliveryArbitrary(plans.map(vendorEvent), { maxDuplicates: 4 }),
            readAfterMs: fc.integer({ min: 0, max: 120_000 }),
          }),
        ),
        ({ plans, delivery, readAfterMs }) => {
          const receivedAt = T0 + Math.floor(Math.max(...plans.map((p) => p.ticks)) / 10_000) + 1;
          const now = receivedAt + readAfterMs;
          const inOrder = summaries(plans.map(vendorEvent), receivedAt, now);
          const shuffled = summaries(delivery, receivedAt, now);
          expect(shuffled).toEqual(inOrder);
          for (const [clientId, summary] of inOrder) {
            const own = plans.filter(
              (p) =>
                (p.moduleId === undefined ? p.deviceId : `${p.deviceId}/${p.moduleId}`) ===
                clientId,
            );
            const latest = own.reduce((a, b) => (b.sequence > a.sequence ? b : a));
            expect(summary.current?.sessionIdentifier).toBe(
              `azure:${latest.sequence.toString(16).toUpperCase().padStart(64, "0")}`,
            );
            if (latest.connected) expect(summary.status).toBe("online");
            else expect(summary.status).not.toBe("online");
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("Azure mapping details", () => {
  it("keeps the module ID and names the client after device and module", () => {
    const mapped = mapAzureEvent(
      azureEventGridEvent("DeviceConnected", {
        deviceId: "LogicAppTestDevice",
        moduleId: "DeviceModuleID",
        sequenceNumber: "000000000000000001D4132452F67CE200000002000000000000000000000001",
        eventTime: "2018-06-02T19:17:44.4383997Z",
        id: "f6bbf8f4-d365-520d-a878-17bf7238abd8",
      }),
    ) as { topic: string; payload: Record<string, unknown> };
    expect(mapped.topic).toBe("$aws/events/presence/connected/LogicAppTestDevice/DeviceModuleID");
    expect(mapped.payload).toMatchObject({
      clientId: "LogicAppTestDevice/DeviceModuleID",
      moduleId: "DeviceModuleID",
      thingName: "LogicAppTestDevice",
      principalIdentifier: "egtesthub1",
      timestamp: Date.parse("2018-06-02T19:17:44.438Z"),
      versionNumber: Date.parse("2018-06-02T19:17:44.438Z"),
    });
  });

  it("pads and upper-cases sequence numbers so string order is numeric order", () => {
    expect(normalizeSequenceNumber("1f")).toBe(`${"0".repeat(62)}1F`);
    expect(normalizeSequenceNumber("g")).toBeNull();
    expect(normalizeSequenceNumber("1".repeat(65))).toBeNull();
  });

  it.each([
    [
      { eventType: "Microsoft.Devices.DeviceTelemetry", data: {} },
      /is not Microsoft\.Devices\.DeviceConnected/,
    ],
    [
      { eventType: "Microsoft.Devices.DeviceConnected", data: { deviceId: 7 } },
      /data\.deviceId must be a string/,
    ],
    [
      {
        eventType: "Microsoft.Devices.DeviceConnected",
        eventTime: "2026-01-01T00:00:00Z",
        data: { deviceId: "d" },
      },
      /sequenceNumber must be a hex string/,
    ],
    [
      {
        eventType: "Microsoft.Devices.DeviceConnected",
        eventTime: "yesterday",
        data: { deviceId: "d", deviceConnectionStateEventInfo: { sequenceNumber: "01" } },
      },
      /eventTime must be an ISO 8601 time/,
    ],
  ])("names what is wrong with %j", (event, message) => {
    const mapped = mapAzureEvent(event);
    expect(mapped).toHaveProperty("error");
    expect((mapped as { error: string }).error).toMatch(message);
  });

  it("finds the validation code in a validation delivery", () => {
    expect(
      parseAzureBody([
        {
          eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
          data: { validationCode: "abc" },
        },
      ]),
    ).toEqual({ kind: "validation", validationCode: "abc" });
  });

  it("allows only host names as WebHook-Request-Origin", () => {
    expect(allowedOrigin("eventgrid.azure.net")).toBe("eventgrid.azure.net");
    expect(allowedOrigin(null)).toBeNull();
    expect(allowedOrigin("evil\r\nSet-Cookie: x")).toBeNull();
    expect(allowedOrigin("https://x")).toBeNull();
  });
});
