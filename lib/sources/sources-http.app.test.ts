// Each source end to end over real HTTP, through the built app (proxy,
// request gate, route, database): the vendors' own payloads (AWS's rule
// action, Azure Event Grid in both schemas, EMQX's data integration; see
// test/support/vendor-payloads.ts for the documentation each is copied
// from), delivered in order and then reordered with duplicates, list the
// same clients with the same statuses. The route tests check the same in
// process over many more orders; this one proves the deployed path.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startApp, type AppServer } from "../../test/support/app-server";
import {
  awsRuleConnected,
  awsRuleDisconnected,
  azureDeviceEvents,
  emqxClientConnected,
  emqxClientDisconnected,
} from "../../test/support/vendor-payloads";

let app: AppServer;
beforeAll(async () => {
  app = await startApp({ databaseUrl: inject("databaseUrl") });
}, 60_000);
afterAll(() => app?.stop());

// Long enough ago that no disconnect is still in its grace period.
const T0 = Date.now() - 2 * 60 * 60_000;
const seq = (n: number) => n.toString(16).toUpperCase().padStart(64, "0");

interface Message {
  body: unknown;
  contentType?: string;
}

interface Source {
  path: string;
  /** The messages of a history whose client IDs all start with `p`, and those IDs. */
  history(p: string): { messages: Message[]; clientIds: string[] };
}

const SOURCES: Record<string, Source> = {
  "AWS IoT rule HTTPS action": {
    path: "/api/ingest/aws-rule",
    history: (p) => ({
      messages: [
        { body: awsRuleConnected(`${p}truck-1`, T0, 1) },
        { body: awsRuleDisconnected(`${p}truck-1`, T0 + 60_000, 1) },
        { body: awsRuleConnected(`${p}truck-1`, T0 + 65_000, 2) },
        { body: awsRuleConnected(`${p}fleet/eu/van 2`, T0 + 1_000, 7) },
        { body: awsRuleDisconnected(`${p}fleet/eu/van 2`, T0 + 90_000, 7) },
      ],
      clientIds: [`${p}truck-1`, `${p}fleet/eu/van 2`],
    }),
  },
  "Azure IoT Hub through Event Grid": {
    path: "/api/ingest/azure",
    history: (p) => {
      const format = { sequence: seq, time: (at: number) => new Date(at).toISOString() };
      const pump = azureDeviceEvents(format, `${p}pump`);
      const edge = azureDeviceEvents(format, `${p}pump`, "edgeAgent");
      return {
        messages: [
          pump("DeviceConnected", 1, T0),
          pump("DeviceDisconnected", 2, T0 + 30_000),
          // A reconnect in the same millisecond: only the sequence number orders them.
          pump("DeviceConnected", 3, T0 + 30_000, true),
          edge("DeviceConnected", 1, T0 + 5_000, true),
          edge("DeviceDisconnected", 4, T0 + 50_000),
        ].map((body) =>
          // Event Grid's schema always comes as an array; CloudEvents one at a time.
          Array.isArray(body) ? { body } : { body, contentType: "application/cloudevents+json" },
        ),
        clientIds: [`${p}pump`, `${p}pump/edgeAgent`],
      };
    },
  },
  "EMQX data integration": {
    path: "/api/ingest/emqx",
    history: (p) => ({
      messages: [
        { body: emqxClientConnected(`${p}emqtt-1`, T0) },
        { body: emqxClientDisconnected(`${p}emqtt-1`, T0, T0 + 40_000, "keepalive_timeout") },
        { body: emqxClientConnected(`${p}emqtt-1`, T0 + 42_000) },
        { body: emqxClientConnected(`${p}sensor/9`, T0 + 1_000) },
        { body: emqxClientDisconnected(`${p}sensor/9`, T0 + 1_000, T0 + 9_000, "normal") },
      ],
      clientIds: [`${p}emqtt-1`, `${p}sensor/9`],
    }),
  },
};

async function deliver(path: string, messages: readonly Message[]): Promise<void> {
  for (const m of messages) {
    const response = await fetch(`${app.url}${path}`, {
      method: "POST",
      headers: {
        Authorization: "Bearer test-token",
        "Content-Type": m.contentType ?? "application/json",
      },
      body: JSON.stringify(m.body),
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(JSON.parse(text).rejected, text).toEqual([]);
  }
}

/** The clients as GET /api/clients/{clientId} answers, with the history's prefix taken out. */
async function statuses(prefix: string, clientIds: readonly string[]) {
  return Promise.all(
    clientIds.map(async (id) => {
      const response = await app.fetch(`/api/clients/${encodeURIComponent(id)}`);
      expect(response.status).toBe(200);
      const c = (await response.json()) as Record<string, unknown>;
      const strip = (v: unknown) => (typeof v === "string" ? v.replaceAll(prefix, "") : v);
      return {
        clientId: strip(c.clientId),
        status: c.status,
        since: c.since,
        sessionIdentifier: strip(c.sessionIdentifier),
        versionNumber: c.versionNumber,
        disconnectReason: c.disconnectReason,
        source: c.source,
        thingName: strip(c.thingName),
      };
    }),
  );
}

let histories = 0;
const nextPrefix = () => `http-src-${process.pid}-${histories++}-`;

describe("every source over HTTP: any order, duplicates, the same fleet", () => {
  it.each(Object.entries(SOURCES))(
    "%s",
    async (_name, source) => {
      const first = nextPrefix();
      const inOrder = source.history(first);
      await deliver(source.path, inOrder.messages);
      const expected = await statuses(first, inOrder.clientIds);
      expect(expected.some((c) => c.status === "online")).toBe(true);
      expect(expected.some((c) => c.status === "offline")).toBe(true);

      const count = inOrder.messages.length;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.nat({ max: count - 1 }), { minLength: 1, maxLength: count }),
          fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
          async (dups, keys) => {
            const prefix = nextPrefix();
            const { messages, clientIds } = source.history(prefix);
            const all = [...messages, ...dups.map((i) => structuredClone(messages[i]!))];
            const order = all.map((m) => ({ m, k: keys.next().value as number }));
            order.sort((a, b) => a.k - b.k);
            await deliver(
              source.path,
              order.map((o) => o.m),
            );
            expect(await statuses(prefix, clientIds)).toEqual(expected);
          },
        ),
        { numRuns: 4 },
      );
    },
    90_000,
  );
});
