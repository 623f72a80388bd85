// Stored events are deduplicated by a hash of the canonical payload text, so
// that text must never change between versions: a change would store every
// redelivered event a second time. The reference below is the original,
// obviously-correct definition; the shipped one is a faster rewrite.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, dedupeKeyOf } from "./parse";
import { runs } from "@/test/support/runs";

function referenceCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map(
        (k) =>
          `${JSON.stringify(k)}:${referenceCanonicalJson((value as Record<string, unknown>)[k])}`,
      );
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

describe("dedupe key", () => {
  it("canonical text equals the reference definition for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        expect(canonicalJson(value)).toBe(referenceCanonicalJson(value));
      }),
      { numRuns: runs(2_000) },
    );
  });

  it("canonical text equals the reference for what JSON.parse makes of any JSON text", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), (text) => {
        const value: unknown = JSON.parse(text);
        expect(canonicalJson(value)).toBe(referenceCanonicalJson(value));
      }),
      { numRuns: runs(1_000) },
    );
  });

  it("ignores key order and whitespace", () => {
    const a = JSON.parse('{"b": 1, "a": {"y": [1, 2], "x": null}}') as unknown;
    const b = JSON.parse('{"a":{"x":null,"y":[1,2]},"b":1}') as unknown;
    expect(dedupeKeyOf(a)).toBe(dedupeKeyOf(b));
  });

  it("is the key stored by earlier versions (known answer)", () => {
    const payload = {
      clientId: "device-1",
      timestamp: 1764115200000,
      eventType: "connected",
      sessionIdentifier: "00000000-0000-0000-0000-000000000001",
      principalIdentifier: "principal",
      versionNumber: 3,
      ipAddress: "192.0.2.1",
      nested: { z: [1, "ü\u200f", null, true], a: { é: 1.5 } },
    };
    expect(dedupeKeyOf(payload)).toBe("d0d62fa9-c17f-7309-3203-35cfece6a934");
  });
});
