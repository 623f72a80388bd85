// Unicode edge cases in lifecycle payloads (issue #5, "Hostile input"): NUL,
// lone surrogates, bidi controls, combining marks, emoji, URL and CSV syntax,
// in the client ID, topics, known and unknown fields. Storable strings are
// kept intact; the rest is rejected by name and quarantined, escaped.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { resetDatabase } from "../../test/support/db";
import {
  clientIdArb,
  envelopeOf,
  hostileString,
  isStorable,
  payloadArb,
  shapeArb,
  shaped,
  storableString,
  timestampArb,
  type FuzzPayload,
} from "../../test/support/fuzz-arbitraries";
import {
  expectRetrievable,
  maxQuarantineId,
  postIngest,
  quarantineSince,
} from "../../test/support/fuzz-checks";
import { storableRawText } from "./parse";
import { MAX_CLIENT_ID_BYTES, TOPIC_PREFIXES } from "./schemas";
import { runs } from "@/test/support/runs";

beforeAll(resetDatabase);

/** Where a hostile string goes in an otherwise valid payload. */
const PLACES = [
  "clientId",
  "topic",
  "unknownValue",
  "unknownKey",
  "principalIdentifier",
  "nested",
] as const;

function place(payload: FuzzPayload, where: (typeof PLACES)[number], s: string): FuzzPayload {
  switch (where) {
    case "clientId":
      return { ...payload, clientId: s };
    case "topic":
      return { ...payload, eventType: "subscribed", sessionIdentifier: "s", topics: ["a/b", s] };
    case "unknownValue":
      return { ...payload, note: s };
    case "unknownKey":
      return { ...payload, [`k${s}`]: true };
    case "principalIdentifier":
      return { ...payload, principalIdentifier: s };
    case "nested":
      return { ...payload, deep: { list: [1, { s }] } };
  }
}

/** The clientId rule's messages, in the order the schema checks them. */
function clientIdMessages(id: string): string[] {
  const messages: string[] = [];
  if (id.length === 0) messages.push("clientId must not be empty");
  if (Buffer.byteLength(id, "utf8") > MAX_CLIENT_ID_BYTES)
    messages.push(`clientId must be at most ${MAX_CLIENT_ID_BYTES} bytes`);
  if (id.includes("#") || id.includes("+")) {
    messages.push(
      "clientId must not contain '#' or '+' (AWS IoT sends no lifecycle events for them)",
    );
  }
  return messages;
}

const UNSTORABLE_MESSAGE =
  /^payload.* contains (a NUL character \(\\u0000\), which cannot be stored|an unpaired UTF-16 surrogate, which is not valid Unicode)$/s;

/** Every string in a JSON value, object keys included. */
function allStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [k, ...allStrings(v)]);
  }
  return [];
}

describe("POST /api/ingest: unicode edge cases", () => {
  it("stores NUL-free, well-formed strings intact anywhere, and rejects the rest by name", async () => {
    const hostile = fc.oneof(
      hostileString(30),
      storableString(30),
      fc.constantFrom("a+b", "#", "x".repeat(129), "é".repeat(65)),
    );
    await fc.assert(
      fc.asyncProperty(
        payloadArb(),
        fc.constantFrom(...PLACES),
        hostile,
        shapeArb,
        async (base, where, s, shape) => {
          const payload = place(base, where, s);
          const item = shaped(payload, shape);
          const before = await maxQuarantineId();
          const answer = await postIngest([item]);
          expect(answer.status, answer.text).toBe(200);
          const body = answer.body as {
            accepted: number;
            rejected: { index: number; error: string }[];
          };
          const unstorable = !allStrings(payload).every(isStorable);
          const idMessages = clientIdMessages(payload.clientId);
          if (unstorable) {
            expect(body.rejected).toHaveLength(1);
            expect(body.rejected[0]!.error).toMatch(UNSTORABLE_MESSAGE);
          } else if (idMessages.length > 0) {
            expect(body.rejected).toEqual([{ index: 0, error: idMessages.join("; ") }]);
          } else {
            expect(body.rejected, answer.text).toEqual([]);
            await expectRetrievable(payload, envelopeOf(payload).topic);
            return;
          }
          // The quarantine keeps the raw text, NULs and lone surrogates as visible escapes.
          const rows = await quarantineSince(before);
          expect(rows).toEqual([
            {
              topic: shape === "bare" ? null : storableRawText(envelopeOf(payload).topic),
              reason: body.rejected[0]!.error,
              raw: storableRawText(JSON.stringify(item)),
            },
          ]);
        },
      ),
      { numRuns: runs(250) },
    );
  });

  it("quarantines envelopes whose topic holds NULs or lone surrogates (once a 500), with the topic escaped", async () => {
    await fc.assert(
      fc.asyncProperty(hostileString(30), clientIdArb, timestampArb, async (junk, id, t) => {
        const topic = `${TOPIC_PREFIXES.connected}${junk}\u0000${id}`;
        const item = {
          topic,
          payload: {
            clientId: id,
            timestamp: t,
            eventType: "connected",
            sessionIdentifier: "s",
            versionNumber: 1,
          },
        };
        const before = await maxQuarantineId();
        const answer = await postIngest([item]);
        expect(answer.status, answer.text).toBe(200);
        const { rejected } = answer.body as { rejected: { error: string }[] };
        expect(rejected).toHaveLength(1);
        expect(isStorable(rejected[0]!.error)).toBe(true);
        expect(await quarantineSince(before)).toEqual([
          {
            topic: storableRawText(topic),
            reason: rejected[0]!.error,
            raw: storableRawText(JSON.stringify(item)),
          },
        ]);
      }),
      { numRuns: runs(60) },
    );
  });
});
