// POST /api/ingest at and past its limits (issue #5, "Hostile input"): deep
// nesting (which once overflowed the stack into a 500), bodies at exactly the
// 1 MiB limit and one byte over, huge strings in every field, oversized batches.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as ingest } from "@/app/api/ingest/route";
import { db } from "../db/client";
import { resetDatabase } from "../../test/support/db";
import { connected, envelope, subscribed } from "../../test/support/events";
import { FUZZ_T0 } from "../../test/support/fuzz-arbitraries";
import {
  expectErrorContract,
  expectRetrievable,
  maxQuarantineId,
  postIngest,
  quarantineSince,
  timed,
} from "../../test/support/fuzz-checks";
import { BASE } from "../../test/support/routes";
import { MAX_BATCH_ITEMS, MAX_JSON_DEPTH, storableRawText } from "./parse";
import { runs } from "@/test/support/runs";

const LIMIT = 1024 * 1024;
const T = FUZZ_T0;
const TOO_DEEP = {
  code: "invalid_body",
  message: `Body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels; lifecycle events need 4.`,
};
const TOO_LARGE = {
  code: "payload_too_large",
  message: `Body exceeds the ${LIMIT}-byte limit; send smaller batches.`,
};

beforeAll(resetDatabase);

/** `n` levels of arrays and objects, alternating as `kinds` says (a for array, o for object). */
function nested(kinds: string, leaf: unknown = 1): unknown {
  let value = leaf;
  for (const k of [...kinds].reverse()) value = k === "a" ? [value] : { k: value };
  return value;
}

/** Deep JSON text without building (and stringifying) a deep value. */
const deepArrayText = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
const deepObjectText = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;

describe("POST /api/ingest: nesting depth", () => {
  // A batch holds the payload at depth 3 (array, envelope, payload); a bare payload at depth 1.
  it("accepts unknown fields up to the depth limit and refuses one level more, in every body shape", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[ao]{1,70}$/),
        fc.constantFrom("batch", "bare", "string-payload"),
        async (kinds, shape) => {
          const payload = connected(`deep-${kinds.length}`, T, kinds.length, { x: nested(kinds) });
          const body =
            shape === "batch"
              ? [envelope(payload)]
              : shape === "bare"
                ? payload
                : { topic: envelope(payload).topic, payload: JSON.stringify(payload) };
          // The payload's own depth: 1 + the nested field; the body adds 2 (batch), 0 (bare), 1 (envelope).
          const payloadDepth = 1 + kinds.length;
          const answer = await postIngest(body);
          if (shape === "string-payload") {
            if (payloadDepth > MAX_JSON_DEPTH - 2) {
              expect(answer.body).toEqual({
                accepted: 0,
                duplicates: 0,
                rejected: [
                  {
                    index: 0,
                    error: `payload nests arrays and objects deeper than ${MAX_JSON_DEPTH - 2} levels`,
                  },
                ],
              });
              return;
            }
          } else if (payloadDepth + (shape === "batch" ? 2 : 0) > MAX_JSON_DEPTH) {
            expect(expectErrorContract(answer)).toEqual(TOO_DEEP);
            return;
          }
          expect(answer.status, answer.text).toBe(200);
          expect((answer.body as { rejected: unknown[] }).rejected).toEqual([]);
          await expectRetrievable(payload, envelope(payload).topic);
        },
      ),
      { numRuns: runs(60) },
    );
  });

  it.each([
    { name: "arrays, 1,000 deep", text: deepArrayText(1_000) },
    { name: "arrays, 100,000 deep", text: deepArrayText(100_000) },
    { name: "arrays, 500,000 deep (just under 1 MiB)", text: deepArrayText(500_000) },
    { name: "objects, 100,000 deep", text: deepObjectText(100_000) },
    {
      name: "an unknown field of a valid event, 50,000 deep",
      text: JSON.stringify([envelope(connected("deep-field", T, 1))]).replace(
        '"versionNumber":1',
        `"versionNumber":1,"x":${deepArrayText(50_000)}`,
      ),
    },
    {
      name: "the second item of a batch, 10,000 deep",
      text: `[${JSON.stringify(envelope(connected("ok", T, 1)))},${deepObjectText(10_000)}]`,
    },
  ])("refuses $name with a 400, not a stack overflow", async ({ text }) => {
    const before = await maxQuarantineId();
    expect(expectErrorContract(await postIngest(text))).toEqual(TOO_DEEP);
    expect(await quarantineSince(before)).toEqual([]);
  });

  it("quarantines a 100,000-deep payload string with its raw text (it cannot be seen from the body)", async () => {
    const item = { topic: "$aws/events/presence/connected/deep", payload: deepArrayText(100_000) };
    const before = await maxQuarantineId();
    const answer = await postIngest([item]);
    const error = `payload nests arrays and objects deeper than ${MAX_JSON_DEPTH - 2} levels`;
    expect(answer.body).toEqual({ accepted: 0, duplicates: 0, rejected: [{ index: 0, error }] });
    expect(await quarantineSince(before)).toEqual([
      { topic: item.topic, reason: error, raw: JSON.stringify(item) },
    ]);
  });
});

/** A one-event batch padded through an unknown field to exactly `bytes` UTF-8 bytes. */
function batchOfBytes(
  bytes: number,
  unit: string,
  id: string,
): { text: string; payload: ReturnType<typeof connected> } {
  const unitBytes = Buffer.byteLength(unit);
  const frame = (pad: string) => JSON.stringify([envelope(connected(id, T, 1, { pad }))]);
  const room = bytes - Buffer.byteLength(frame(""));
  const pad = unit.repeat(Math.floor(room / unitBytes)) + "x".repeat(room % unitBytes);
  const text = frame(pad);
  expect(Buffer.byteLength(text)).toBe(bytes);
  return { text, payload: connected(id, T, 1, { pad }) };
}

/** A request whose body arrives in chunks, with no Content-Length to trust. */
function streamedRequest(text: string, chunkBytes: number): Request {
  const bytes = Buffer.from(text);
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + chunkBytes));
      offset += chunkBytes;
    },
  });
  return new Request(`${BASE}/api/ingest`, {
    method: "POST",
    headers: { Authorization: "Bearer test-token", "Content-Type": "application/json" },
    body,
    duplex: "half",
  } as RequestInit);
}

describe("POST /api/ingest: the 1 MiB limit", () => {
  it.each([
    { unit: "x", name: "ASCII" },
    { unit: "é", name: "2-byte" },
    { unit: "😀", name: "4-byte (surrogate pairs)" },
    { unit: "\u202e\u0301", name: "RTL override + combining mark" },
  ])(
    "takes a body of exactly 1 MiB ($name padding) and keeps it intact; refuses one byte more",
    async ({ unit }) => {
      const id = `limit-${[...unit].map((c) => c.codePointAt(0)!.toString(16)).join("-")}`;
      const exact = batchOfBytes(LIMIT, unit, id);
      expect((await postIngest(exact.text)).body).toEqual({
        accepted: 1,
        duplicates: 0,
        rejected: [],
      });
      await expectRetrievable(exact.payload, envelope(exact.payload).topic);
      expect(
        expectErrorContract(await postIngest(batchOfBytes(LIMIT + 1, unit, `${id}-over`).text)),
      ).toEqual(TOO_LARGE);
    },
  );

  it("counts bytes as they stream in, without a Content-Length", async () => {
    const exact = batchOfBytes(LIMIT, "é", "streamed");
    const ok = await timed(() => ingest(streamedRequest(exact.text, 7_919)));
    expect(ok.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const over = await timed(() =>
      ingest(streamedRequest(batchOfBytes(LIMIT + 1, "é", "streamed-over").text, 65_536)),
    );
    expect(expectErrorContract(over)).toEqual(TOO_LARGE);
    const huge = await timed(() => ingest(streamedRequest("[" + " ".repeat(20 * LIMIT), 1 << 20)));
    expect(expectErrorContract(huge)).toEqual(TOO_LARGE);
  });

  const big = (n: number) => "ab".repeat(n / 2);
  it.each([
    {
      name: "clientId",
      item: connected(big(450_000), T, 1, { sessionIdentifier: "s", principalIdentifier: null }),
      error: "clientId must be at most 128 bytes",
    },
    {
      name: "sessionIdentifier",
      item: connected("s", T, 1, { sessionIdentifier: big(900_000) }),
      error: "sessionIdentifier must be at most 256 bytes",
    },
    {
      name: "a topic filter",
      item: subscribed("s", T, ["ok", big(900_000)]),
      error: "topics.1: topics must each be at most 1024 bytes",
    },
    {
      name: "100,000 wrong topics (the reason names five)",
      item: subscribed("s", T, Array.from({ length: 100_000 }, (_, i) => i) as unknown as string[]),
      error: `${[0, 1, 2, 3, 4].map((i) => `topics.${i}: topics must be an array of strings`).join("; ")}; and 99995 more`,
    },
  ])("rejects a huge $name by name, quickly", async ({ item, error }) => {
    const answer = await postIngest([envelope(item)]);
    expect(answer.body).toEqual({ accepted: 0, duplicates: 0, rejected: [{ index: 0, error }] });
  });

  it("takes 1,000 topic filters in one event and refuses 1,001 (150,000 once took seconds and bloated every list)", async () => {
    const topics = (n: number) => Array.from({ length: n }, (_, i) => i.toString(36));
    expect(
      (await postIngest([envelope(subscribed("many-topics", T, topics(1_000)))])).body,
    ).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [],
    });
    for (const n of [1_001, 150_000]) {
      expect(
        (await postIngest([envelope(subscribed("many-topics", T + 1, topics(n)))])).body,
      ).toEqual({
        accepted: 0,
        duplicates: 0,
        rejected: [{ index: 0, error: "topics must hold at most 1000 topic filters" }],
      });
    }
  });

  it("echoes at most 200 characters of a huge topic in the reason", async () => {
    const topic = `devices/${"t".repeat(900_000)}`;
    const answer = await postIngest([{ topic, payload: connected("s", T, 1) }]);
    const error = `topic '${topic.slice(0, 200)}… (${topic.length} characters)' is not an AWS IoT lifecycle event topic`;
    expect(answer.body).toEqual({ accepted: 0, duplicates: 0, rejected: [{ index: 0, error }] });
  });

  it("keeps huge strings where they are harmless (principalIdentifier, unknown fields) intact", async () => {
    const payload = connected("big-fields", T, 1, {
      principalIdentifier: big(400_000),
      note: "\u202e".repeat(100_000),
    });
    expect((await postIngest([envelope(payload)])).body).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [],
    });
    await expectRetrievable(payload, envelope(payload).topic);
  });
});

describe("POST /api/ingest: batch sizes", () => {
  it(`quarantines each of ${MAX_BATCH_ITEMS} junk items, and refuses one item more with a 413`, async () => {
    const before = await maxQuarantineId();
    const answer = await postIngest(`[${Array(MAX_BATCH_ITEMS).fill("1").join(",")}]`);
    expect(answer.status).toBe(200);
    const body = answer.body as { accepted: number; rejected: { index: number; error: string }[] };
    expect(body.rejected).toHaveLength(MAX_BATCH_ITEMS);
    expect(new Set(body.rejected.map((r) => r.error))).toEqual(
      new Set(["item must be a JSON object"]),
    );
    expect(await quarantineSince(before)).toHaveLength(MAX_BATCH_ITEMS);
    expect(
      expectErrorContract(
        await postIngest(
          `[${Array(MAX_BATCH_ITEMS + 1)
            .fill("{}")
            .join(",")}]`,
        ),
      ),
    ).toEqual({
      code: "payload_too_large",
      message: `Body holds ${MAX_BATCH_ITEMS + 1} items; a batch may hold at most ${MAX_BATCH_ITEMS}. Send smaller batches.`,
    });
    // 500,000 items once took ~15 s and answered 27 MB.
    expect(
      expectErrorContract(await postIngest(`[${Array(500_000).fill("1").join(",")}]`)).code,
    ).toBe("payload_too_large");
  });

  it("stores a batch of 3,000 small events for 3,000 clients, each retrievable", async () => {
    const payloads = Array.from({ length: 3_000 }, (_, i) => connected(`many/${i} ✓`, T + i, i));
    const answer = await postIngest(payloads.map(envelope));
    expect(answer.body).toEqual({ accepted: 3_000, duplicates: 0, rejected: [] });
    const r = await db().pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM client_state WHERE client_id LIKE 'many/%'",
    );
    expect(r.rows[0]!.n).toBe(3_000);
    for (const i of [0, 1, 1_499, 2_999])
      await expectRetrievable(payloads[i]!, envelope(payloads[i]!).topic);
  });

  it("keeps a quarantined item's NULs and lone surrogates as visible escapes", async () => {
    const before = await maxQuarantineId();
    const answer = await postIngest(
      `["a\\u0000b", "\\ud800", {"topic": "x\\u0000", "payload": "\\udfff"}]`,
    );
    // JSON.parse quotes the input in its message: the lone surrogate is escaped there too.
    const reason = storableRawText("payload is not valid JSON: " + jsonParseMessage("\udfff"));
    expect(reason).toMatch(/\\udfff/);
    expect((answer.body as { rejected: unknown[] }).rejected).toEqual([
      { index: 0, error: "item must be a JSON object" },
      { index: 1, error: "item must be a JSON object" },
      { index: 2, error: reason },
    ]);
    expect(await quarantineSince(before)).toEqual([
      { topic: null, reason: "item must be a JSON object", raw: "a\\u0000b" },
      { topic: null, reason: "item must be a JSON object", raw: "\\ud800" },
      {
        topic: "x\\u0000",
        reason,
        raw: '{"topic":"x\\u0000","payload":"\\udfff"}',
      },
    ]);
  });
});

function jsonParseMessage(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`'${text}' is valid JSON`);
}
