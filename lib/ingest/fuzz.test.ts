// Property-based fuzzing of POST /api/ingest (issue #5, "Hostile input"):
// whatever the body, the answer is a 200 that accounts for every item or a
// specific 4xx, never a 500 or a hang; every accepted event is retrievable
// unchanged and every rejected one is quarantined with its reason.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { resetDatabase } from "../../test/support/db";
import {
  envelopeOf,
  FIELD_RULES,
  hostileString,
  hostileUnit,
  isStorable,
  payloadArb,
  shapeArb,
  shaped,
  storableJsonValue,
  wrongValueFor,
  type FuzzPayload,
  type KnownField,
} from "../../test/support/fuzz-arbitraries";
import {
  expectErrorContract,
  expectRetrievable,
  maxQuarantineId,
  payloadOfItem,
  postIngest,
  quarantineSince,
} from "../../test/support/fuzz-checks";
import { MAX_FUTURE_SKEW_MS, TOPIC_PREFIXES } from "./schemas";
import { runs } from "@/test/support/runs";

beforeAll(resetDatabase);

/** Items that are almost, or not at all, lifecycle events. */
const itemArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(payloadArb(), shapeArb).map(([p, s]) => shaped(p, s)) },
  { weight: 2, arbitrary: storableJsonValue(3) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: hostileUnit }) },
  {
    weight: 1,
    arbitrary: fc.record({
      topic: fc.oneof(
        hostileString(40),
        fc.constantFrom(...Object.values(TOPIC_PREFIXES)),
        fc.integer(),
      ),
      payload: fc.oneof(hostileString(60), storableJsonValue(2)),
    }),
  },
);

const validBatchText = fc
  .array(fc.tuple(payloadArb(), shapeArb), { minLength: 1, maxLength: 5 })
  .map((items) => JSON.stringify(items.map(([p, s]) => shaped(p, s))));

/** Any body text: JSON of any shape, arbitrary text, batches, truncated batches. */
const bodyTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 4, stringUnit: hostileUnit }).map((v) => JSON.stringify(v)),
  hostileString(120),
  fc.array(itemArb, { maxLength: 8 }).map((items) => JSON.stringify(items)),
  itemArb.map((item) => JSON.stringify(item)),
  fc.tuple(validBatchText, fc.nat()).map(([text, n]) => text.slice(0, n % text.length)),
);

/** The text as the server reads it: UTF-8 on the wire turns lone surrogates into U+FFFD. */
const wire = (text: string) => Buffer.from(text, "utf8").toString("utf8");

/** What the server must say, predicted from the body alone. */
function expectedRequestError(text: string): { code: string; message: string } | null {
  let body: unknown;
  try {
    body = JSON.parse(wire(text));
  } catch (error) {
    return { code: "invalid_json", message: `Body is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof body !== "object" || body === null) {
    return {
      code: "invalid_body",
      message: "Body must be a JSON object (an envelope or a payload) or an array of envelopes.",
    };
  }
  return null;
}

/** Checks a 200 item by item: accepted ones retrievable, rejected ones quarantined with their reason. */
async function expectAccounted(text: string, answer: { body: unknown }, quarantineBefore: string) {
  const parsed: unknown = JSON.parse(wire(text));
  const items = Array.isArray(parsed) ? parsed : [parsed];
  const body = answer.body as {
    accepted: number;
    duplicates: number;
    rejected: { index: number; error: string }[];
  };
  expect(Object.keys(body).sort()).toEqual(["accepted", "duplicates", "rejected"]);
  expect(body.accepted + body.duplicates + body.rejected.length).toBe(items.length);
  const rejectedAt = new Set(body.rejected.map((r) => r.index));
  expect(rejectedAt.size).toBe(body.rejected.length);
  for (const r of body.rejected) {
    expect(Number.isInteger(r.index) && r.index >= 0 && r.index < items.length).toBe(true);
    expect(r.error.length).toBeGreaterThan(0);
    expect(isStorable(r.error)).toBe(true);
  }
  const rows = await quarantineSince(quarantineBefore);
  expect(rows.map((q) => q.reason).sort()).toEqual(body.rejected.map((r) => r.error).sort());
  for (const [index, item] of items.entries()) {
    if (rejectedAt.has(index)) continue;
    const payload = payloadOfItem(item) as FuzzPayload;
    await expectRetrievable(payload, TOPIC_PREFIXES[payload.eventType] + payload.clientId);
  }
}

describe("POST /api/ingest: any body", () => {
  it("answers a 200 that accounts for every item, or the one specific 4xx the body earns", async () => {
    await fc.assert(
      fc.asyncProperty(bodyTextArb, async (text) => {
        const before = await maxQuarantineId();
        const answer = await postIngest(text);
        const expected = expectedRequestError(text);
        if (expected !== null) {
          expect(expectErrorContract(answer)).toEqual(expected);
          expect(answer.status).toBe(400);
          expect(await quarantineSince(before)).toEqual([]);
          return;
        }
        expect(answer.status, answer.text).toBe(200);
        await expectAccounted(text, answer, before);
      }),
      { numRuns: runs(250) },
    );
  });

  it("refuses every strict prefix of a valid batch as invalid JSON, storing nothing", async () => {
    await fc.assert(
      fc.asyncProperty(validBatchText, fc.nat(), async (text, n) => {
        const cut = text.slice(0, n % text.length);
        const before = await maxQuarantineId();
        const answer = await postIngest(cut);
        expect(answer.status).toBe(400);
        expect(expectErrorContract(answer)).toEqual(expectedRequestError(cut));
        expect(await quarantineSince(before)).toEqual([]);
      }),
      { numRuns: runs(100) },
    );
  });

  it("stores one event once, whatever shapes it arrives in (bare, envelope, string payload, array)", async () => {
    await fc.assert(
      fc.asyncProperty(
        payloadArb(),
        fc.array(fc.tuple(shapeArb, fc.boolean()), { minLength: 2, maxLength: 4 }),
        async (payload, shapes) => {
          for (const [i, [shape, inArray]] of shapes.entries()) {
            const item = shaped(payload, shape);
            const answer = await postIngest(inArray ? [item] : item);
            expect(answer.body).toEqual({
              accepted: i === 0 ? 1 : 0,
              duplicates: i === 0 ? 0 : 1,
              rejected: [],
            });
          }
          await expectRetrievable(payload, envelopeOf(payload).topic);
        },
      ),
      { numRuns: runs(60) },
    );
  });
});

/** A valid payload with one known field replaced (or removed) and the message that must name it. */
const wrongFieldArb = payloadArb().chain((payload) => {
  const rules = FIELD_RULES[payload.eventType];
  const fields = Object.keys(rules) as KnownField[];
  return fc.constantFrom(...fields).chain((field) => {
    const rule = rules[field]!;
    const required = !rule.accepts.includes("null");
    const value = required
      ? fc.option(wrongValueFor(rule), { nil: undefined })
      : wrongValueFor(rule);
    return value.map((v) => ({ payload: { ...payload, [field]: v }, message: rule.message }));
  });
});

const INFINITE_KEY = "__infinite__";

/** The body text of `items`, with any INFINITE_KEY value written as 1e999 (in string payloads too). */
function bodyText(items: unknown[]): string {
  return JSON.stringify(items)
    .replace(`"${INFINITE_KEY}":null`, `"${INFINITE_KEY}":1e999`)
    .replace(`\\"${INFINITE_KEY}\\":null`, `\\"${INFINITE_KEY}\\":1e999`);
}

/** Values of the right type that break a rule of their own. */
const outOfRuleArb = fc.oneof(
  payloadArb().map((p) => ({
    payload: { ...p, eventType: "rebooted" },
    message:
      "eventType must be one of connected, disconnected, subscribed, unsubscribed, connect_failed",
  })),
  payloadArb().map((p) => ({
    payload: { ...p, eventType: null },
    message:
      "eventType must be one of connected, disconnected, subscribed, unsubscribed, connect_failed",
  })),
  payloadArb().map((p) => ({
    payload: { ...p, timestamp: p.timestamp + 0.5 },
    message: "timestamp must be an integer number of ms since epoch",
  })),
  fc.tuple(payloadArb(), fc.integer({ min: 0, max: Date.UTC(2000, 0, 1) - 1 })).map(([p, t]) => ({
    payload: { ...p, timestamp: t },
    message: "timestamp is not a plausible epoch-ms value (before 2000)",
  })),
  fc.tuple(payloadArb(), fc.integer({ min: 2, max: 1e6 })).map(([p, days]) => ({
    payload: { ...p, timestamp: Date.now() + MAX_FUTURE_SKEW_MS + days * 86_400_000 },
    message: "timestamp is not a plausible epoch-ms value (more than a day ahead)",
  })),
  fc.tuple(payloadArb(), fc.integer({ min: -1e9, max: -1 })).map(([p, v]) => ({
    payload: { ...p, eventType: "connected", sessionIdentifier: "s", versionNumber: v },
    message: "versionNumber must not be negative",
  })),
  payloadArb().map((p) => ({
    payload: { ...p, eventType: "disconnected", sessionIdentifier: "s", versionNumber: 2 ** 60 },
    message: "versionNumber is too large",
  })),
  payloadArb().map((p) => ({
    payload: { ...p, eventType: "subscribed", sessionIdentifier: "s", topics: ["ok", 7] },
    message: "topics.1: topics must be an array of strings",
  })),
  payloadArb().map((p) => ({
    payload: { ...p, eventType: "connected", sessionIdentifier: "", versionNumber: 1 },
    message: "sessionIdentifier must not be empty",
  })),
  // JSON.stringify writes Infinity as null: the test writes the literal 1e999 into the text.
  payloadArb().map((p) => ({
    payload: { ...p, [INFINITE_KEY]: Infinity },
    message: `payload.${INFINITE_KEY} is a number beyond the range of a double, which cannot be kept exactly`,
  })),
);

describe("POST /api/ingest: wrong types and broken rules", () => {
  it("rejects a wrong-typed or missing field of any event type with that field's message, quarantined", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(wrongFieldArb, outOfRuleArb),
        shapeArb,
        async ({ payload, message }, shape) => {
          // The bare shape has no topic to disagree with; envelopes carry the one the payload claims.
          // A wrong-typed clientId (e.g. a null-prototype object) has no string form for the topic.
          const topic = `${TOPIC_PREFIXES.connected}${typeof payload.clientId === "string" ? payload.clientId : "x"}`;
          const item =
            shape === "bare"
              ? payload
              : { topic, payload: shape === "envelope" ? payload : JSON.stringify(payload) };
          const text = bodyText([item]);
          const before = await maxQuarantineId();
          const answer = await postIngest(text);
          expect(answer.body).toEqual({
            accepted: 0,
            duplicates: 0,
            rejected: [{ index: 0, error: message }],
          });
          const rows = await quarantineSince(before);
          expect(rows).toHaveLength(1);
          expect(rows[0]!.reason).toBe(message);
        },
      ),
      { numRuns: runs(250) },
    );
  });
});
