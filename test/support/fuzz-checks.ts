// Assertions shared by the hostile-input fuzz tests: the error contract, the
// ingest accounting (every item accepted, duplicate or quarantined), and
// "everything accepted is retrievable" through the read API's route handlers.
import { isDeepStrictEqual } from "node:util";
import { expect } from "vitest";
import { GET as getClient } from "@/app/api/clients/[clientId]/route";
import { GET as getEvents } from "@/app/api/clients/[clientId]/events/route";
import { POST as ingest } from "@/app/api/ingest/route";
import { db } from "../../lib/db/client";
import { BASE, ingestRequest, params } from "./routes";

/** Far above a healthy request even on a loaded 2-core machine; far below "hung". */
export const REQUEST_BUDGET_MS = 10_000;

/** Which error codes each status may carry (lib/errors.ts). */
export const CODES_BY_STATUS: Record<number, string[]> = {
  400: ["invalid_json", "invalid_body", "invalid_query"],
  401: ["unauthorized"],
  404: ["not_found"],
  413: ["payload_too_large"],
};

export interface Answer {
  status: number;
  body: unknown;
  text: string;
  ms: number;
}

/** Runs a route handler, reads the whole body and checks it finished in time. */
export async function timed(
  call: () => Promise<Response> | Response,
): Promise<Answer & { response: Response }> {
  const started = performance.now();
  const response = await call();
  const text = await response.text();
  const ms = performance.now() - started;
  expect(ms, "request took too long").toBeLessThan(REQUEST_BUDGET_MS);
  let body: unknown = null;
  if ((response.headers.get("content-type") ?? "").startsWith("application/json"))
    body = JSON.parse(text);
  return { status: response.status, body, text, ms, response };
}

/** A 4xx with exactly `{"error": {"code", "message"}}` and a code that fits the status. */
export function expectErrorContract(answer: Answer): { code: string; message: string } {
  expect(answer.status, answer.text).toBeGreaterThanOrEqual(400);
  expect(answer.status, answer.text).toBeLessThan(500);
  const body = answer.body as { error?: { code?: unknown; message?: unknown } };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error ?? {}).sort()).toEqual(["code", "message"]);
  const { code, message } = body.error as { code: string; message: string };
  expect(CODES_BY_STATUS[answer.status]).toContain(code);
  expect(typeof message).toBe("string");
  expect(message.length).toBeGreaterThan(0);
  return { code, message };
}

export function postIngest(body: unknown): Promise<Answer> {
  return timed(() => ingest(ingestRequest(body)));
}

export async function maxQuarantineId(): Promise<string> {
  const r = await db().pool.query<{ id: string }>(
    "SELECT coalesce(max(id), 0)::text AS id FROM quarantined_event",
  );
  return r.rows[0]!.id;
}

export interface QuarantineRow {
  topic: string | null;
  reason: string;
  raw: string;
}

export async function quarantineSince(id: string): Promise<QuarantineRow[]> {
  const r = await db().pool.query<QuarantineRow>(
    "SELECT topic, reason, raw FROM quarantined_event WHERE id > $1 ORDER BY id",
    [id],
  );
  return r.rows;
}

/** The payload inside an item of an accepted body (envelope, string payload or bare). */
export function payloadOfItem(item: unknown): unknown {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return item;
  if (!("topic" in item) && !("payload" in item)) return item;
  const payload = (item as { payload?: unknown }).payload;
  return typeof payload === "string" ? JSON.parse(payload) : payload;
}

/** Equal as JSON values (key order aside): what jsonb can promise. */
export function sameJson(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}

interface EventItem {
  topic: string;
  payload: unknown;
}

/** The client answers 200 and its raw event log holds the payload unchanged. */
export async function expectRetrievable(
  payload: { clientId: string },
  topic: string,
): Promise<void> {
  const id = payload.clientId;
  const path = `${BASE}/api/clients/${encodeURIComponent(id)}`;
  const client = await timed(() => getClient(new Request(path), params({ clientId: id })));
  expect(client.status, client.text).toBe(200);
  expect((client.body as { clientId: string }).clientId).toBe(id);
  const events = await timed(() =>
    getEvents(new Request(`${path}/events?limit=500`), params({ clientId: id })),
  );
  expect(events.status, events.text).toBe(200);
  const items = (events.body as { items: EventItem[] }).items;
  const found = items.some((e) => e.topic === topic && sameJson(e.payload, payload));
  expect(found, `event of '${id}' on '${topic}' not in the log`).toBe(true);
}
