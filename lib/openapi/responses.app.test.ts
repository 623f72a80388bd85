// The OpenAPI document's response schemas against what the running app
// really answers: after a few ingested events (a burst that makes an
// incident, an offline client that fires an alert with a delivery), every
// read operation documented with a schema is called and its body validated
// against the schema as served at /api/openapi.json (turned back into a
// validator by zod's own JSON Schema reader), so the document cannot drift
// from the answers.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { startApp, type AppServer } from "../../test/support/app-server";
import { connected, disconnected, envelope, subscribed } from "../../test/support/events";
import { OPERATIONS } from "./operations";

interface DocOperation {
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}
interface Doc {
  paths: Record<string, Record<string, DocOperation>>;
  components?: { schemas?: Record<string, unknown> };
}

const PREFIX = "resp-";
const BURST = 30;
let app: AppServer;
let doc: Doc;
let token: string;
let receiver: Server;

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${app.url}${path}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: await response.json() };
}

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  // A webhook receiver that always fails: the alert's delivery gets an attempt log.
  receiver = createServer((_req, res) => res.writeHead(503).end());
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  app = await startApp({
    databaseUrl: inject("databaseUrl"),
    env: {
      OFFLINE_GRACE_SECONDS: "1",
      ALERTS_EVAL_INTERVAL_SECONDS: "1",
      INCIDENT_DETECTION_INTERVAL_SECONDS: "1",
      ALERTS_ALLOW_PRIVATE_TARGETS: "1",
    },
  });
  const created = await app.fetch("/api/admin/api-tokens", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "response schemas", role: "admin" }),
  });
  token = ((await created.json()) as { token: string }).token;
  doc = (await (await fetch(`${app.url}/api/openapi.json`)).json()) as Doc;

  const channel = await app.fetch("/api/alerts/channels", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "response schemas", type: "webhook", url: hook }),
  });
  expect(channel.status).toBe(201);
  const { id: channelId } = (await channel.json()) as { id: string };
  const rule = await app.fetch("/api/alerts/rules", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      name: "response schemas offline",
      kind: "client_offline",
      selector: { clientIdPattern: `${PREFIX}*` },
      channelIds: [channelId],
    }),
  });
  expect(rule.status).toBe(201);
  const labels = await app.fetch(`/api/clients/${PREFIX}0/labels`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ labels: { site: "berlin" } }),
  });
  expect(labels.status).toBe(200);

  // BURST clients connect, then all drop within a few seconds: an incident,
  // and offline clients for the alert rule; one more stays online, subscribed.
  const now = Date.now();
  const events = [envelope(connected(`${PREFIX}online`, now - 600_000, 1))];
  events.push(envelope(subscribed(`${PREFIX}online`, now - 599_000, ["fleet/+/cmd"])));
  for (let i = 0; i < BURST; i++) {
    events.push(envelope(connected(`${PREFIX}${i}`, now - 600_000 + i, 1)));
    events.push(envelope(disconnected(`${PREFIX}${i}`, now - 30_000 + i * 100, 1)));
  }
  const ingested = await fetch(`${app.url}/api/ingest`, {
    method: "POST",
    headers: { Authorization: "Bearer test-token", "Content-Type": "application/json" },
    body: JSON.stringify(events),
  });
  expect(ingested.status).toBe(200);
  expect(await ingested.json()).toMatchObject({ accepted: events.length, rejected: [] });

  // Wait for the derived records the list operations show.
  await until("an incident", async () => {
    const { body } = await get("/api/incidents");
    return (body as { items: unknown[] }).items.length > 0 ? true : null;
  });
  await until("an alert delivery attempt", async () => {
    const { body } = await get("/api/alerts?state=firing");
    const items = (body as { items: Array<{ deliveries: Array<{ attempts: number }> }> }).items;
    return items.some((a) => a.deliveries.some((d) => d.attempts > 0)) ? true : null;
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** The document leaves objects open (answers gain fields); here every field answered must be documented. */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = closed(value);
  if ("properties" in out && !("additionalProperties" in out)) out.additionalProperties = false;
  return out;
}

/**
 * The 200 schema of an operation as the document serves it, made a
 * validator: its component references (#/components/schemas/X) become the
 * $defs of one JSON Schema that zod reads.
 */
function documented(path: string): z.ZodType {
  const schema = doc.paths[path]?.get?.responses["200"]?.content?.["application/json"]?.schema;
  if (schema === undefined) throw new Error(`GET ${path} documents no 200 JSON schema`);
  const text = JSON.stringify(closed({ ...schema, $defs: doc.components?.schemas ?? {} }));
  return z.fromJSONSchema(JSON.parse(text.replaceAll("#/components/schemas/", "#/$defs/")));
}

const from = () => new Date(Date.now() - 3_600_000).toISOString();

// [documented path, a URL of it, a check that the answer is not trivially empty]
const CASES: Array<[string, () => string, (body: never) => unknown]> = [
  ["/api/clients", () => `/api/clients?q=${PREFIX}&limit=50`, (b: { items: [] }) => b.items.length],
  ["/api/clients", () => `/api/clients?asOf=${from()}&limit=5`, () => true],
  ["/api/clients/{clientId}", () => `/api/clients/${PREFIX}0`, (b: { labels: object }) => b.labels],
  ["/api/clients/{clientId}", () => `/api/clients/${PREFIX}online`, () => true],
  [
    "/api/clients/{clientId}/events",
    () => `/api/clients/${PREFIX}0/events`,
    (b: { items: [] }) => b.items.length,
  ],
  ["/api/stats/summary", () => "/api/stats/summary", (b: { total: number }) => b.total],
  ["/api/stats/summary", () => `/api/stats/summary?asOf=${from()}`, () => true],
  [
    "/api/stats/online",
    () => "/api/stats/online?range=24h",
    (b: { points: [] }) => b.points.length,
  ],
  [
    "/api/clients/{clientId}/availability",
    () => `/api/clients/${PREFIX}0/availability?from=${from()}`,
    (b: { days: [] }) => b.days.length,
  ],
  [
    "/api/reports/availability",
    () => `/api/reports/availability?from=${from()}&q=${PREFIX}`,
    (b: { items: [] }) => b.items.length,
  ],
  ["/api/incidents", () => "/api/incidents", (b: { items: [] }) => b.items.length],
  ["/api/alerts", () => "/api/alerts", (b: { items: [] }) => b.items.length],
  ["/api/admin/api-tokens", () => "/api/admin/api-tokens", (b: { items: [] }) => b.items.length],
];

describe("real answers validate against the documented response schemas", () => {
  it.each(CASES)("GET %s (%#)", async (path, url, nonEmpty) => {
    const { status, body } = await get(url());
    expect(status).toBe(200);
    expect(nonEmpty(body as never)).toBeTruthy();
    const result = documented(path).safeParse(body);
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it("calls every operation documented with a response schema, and those are the main reads", () => {
    const called = new Set(CASES.map(([path]) => path));
    const withSchema = OPERATIONS.filter((op) => op.ok?.schema !== undefined).map((op) => op.path);
    expect([...called].sort()).toEqual([...new Set(withSchema)].sort());
    for (const path of called) expect(() => documented(path)).not.toThrow();
    expect(called.size).toBe(10);
  });

  it("the documented schemas reject a wrong answer (the check can fail)", () => {
    const client = documented("/api/clients/{clientId}");
    expect(client.safeParse({ clientId: "x", status: "online" }).success).toBe(false);
    const summary = documented("/api/stats/summary");
    const counts = { online: 1, pending: 0, offline: 0, total: 1, flapping: 0, neverSeen: 0 };
    expect(summary.safeParse(counts).success).toBe(true);
    expect(summary.safeParse({ ...counts, online: "1" }).success).toBe(false);
    expect(summary.safeParse({ ...counts, undocumented: 1 }).success).toBe(false);
  });
});
