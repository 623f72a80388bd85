import { describe, expect, it } from "vitest";
import { notifyPayloads } from "./store";

describe("notifyPayloads", () => {
  it("lists a batch's clients in chunks that fit a NOTIFY, each ID once", () => {
    const ids = Array.from(
      { length: 500 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
    const payloads = notifyPayloads(ids);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    expect(payloads.flatMap((p) => (JSON.parse(p) as { clientIds: string[] }).clientIds)).toEqual(
      ids,
    );
  });

  it("asks for a resync when the list would need more than 8 notifications", () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `fan-out-bulk-1764150000000-${i}`);
    expect(notifyPayloads(ids)).toEqual([JSON.stringify({ clientIds: null, count: 3000 })]);
  });

  it("keeps a small batch in one notification", () => {
    expect(notifyPayloads(["a", "b/c"])).toEqual([JSON.stringify({ clientIds: ["a", "b/c"] })]);
  });
});
