// The one check of `next` (issue #14, finding 2: open redirect through dot
// segments). Property: whatever `next` is, the path returned, used as a
// Location from any page of the site, stays on the site.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_NEXT_LENGTH, safeNextPath } from "./safe-next";
import { runs } from "@/test/support/runs";

const SITE = "https://fleet.example";

/** Where a browser goes when a page at `from` is redirected to `location`. */
const follow = (location: string, from = `${SITE}/login`) => new URL(location, from);

describe("safeNextPath", () => {
  it.each([
    // Each collapses to //evil.example/x once its dot segments are resolved.
    "/.//evil.example/x",
    "/..//evil.example/x",
    "/%2e//evil.example/x",
    "/%2E%2E//evil.example/x",
    "/a/..//evil.example/x",
    "/a/b/../..//evil.example/x",
    "/././/evil.example",
  ])("%j → / (was an open redirect)", (next) => {
    expect(safeNextPath(next)).toBe("/");
  });

  it.each([
    ["/clients?range=7d#top", "/clients?range=7d#top"],
    ["/a/../b", "/b"],
    ["/./clients", "/clients"],
    ["/clients/a%2Fb", "/clients/a%2Fb"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/login/../login", "/"],
  ])("%j → %j", (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });

  const segment = fc.oneof(
    fc.constantFrom(
      "",
      ".",
      "..",
      "%2e",
      "%2E",
      "%2e%2e",
      ".%2e",
      "a",
      "evil.example",
      "%2f",
      "\\",
    ),
    fc.string({ maxLength: 6 }),
  );
  const hostileNext = fc.oneof(
    fc.array(segment, { maxLength: 8 }).map((parts) => `/${parts.join("/")}`),
    fc.array(segment, { maxLength: 8 }).map((parts) => parts.join("/")),
    fc.string({ maxLength: 40 }),
  );

  it("never leaves the site, from any page, and is stable", () => {
    fc.assert(
      fc.property(hostileNext, fc.constantFrom("/login", "/", "/clients/x/y"), (next, from) => {
        const path = safeNextPath(next);
        expect(path.startsWith("/")).toBe(true);
        expect(path.startsWith("//")).toBe(false);
        expect(follow(path, `${SITE}${from}`).origin).toBe(SITE);
        expect(path.length).toBeLessThanOrEqual(MAX_NEXT_LENGTH);
        // Checking the answer again changes nothing: the check runs on the normalised form.
        expect(safeNextPath(path)).toBe(path);
      }),
      { numRuns: runs(2_000) },
    );
  });
});
