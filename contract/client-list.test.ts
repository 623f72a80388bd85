import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareClientIds } from "./client-list";

/** Code point order, the slow way: what PostgreSQL's C collation gives for UTF-8 text. */
function byCodePoints(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

describe("compareClientIds", () => {
  it("orders by code point, as PostgreSQL's C collation does, not by UTF-16 unit", () => {
    expect(compareClientIds("\uE000", "\u{10000}")).toBeLessThan(0);
    expect("\uE000" < "\u{10000}").toBe(false); // why a plain < will not do
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        expect(Math.sign(compareClientIds(a, b))).toBe(Math.sign(byCodePoints(a, b)));
      }),
    );
  });
});
