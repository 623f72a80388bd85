// Forged cursors (issue #5, "Hostile input"): cursors are not signed, so each
// field is validated; a forged one earns a page or a 400, never a 500.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "@/lib/clients/cursor";
import { resetDatabase } from "@/test/support/db";
import { connected, envelope } from "@/test/support/events";
import { hostileString } from "@/test/support/fuzz-arbitraries";
import { expectErrorContract, postIngest, timed } from "@/test/support/fuzz-checks";
import { AWKWARD_CLIENT_IDS as SEEDED } from "@/test/support/query-arbitraries";
import { BASE, params } from "@/test/support/routes";
import { GET as events } from "./clients/[clientId]/events/route";
import { GET as list } from "./clients/route";
import { runs } from "@/test/support/runs";

const at = (path: string, query: string) => new Request(`${BASE}${path}?${query}`);

beforeAll(async () => {
  await resetDatabase();
  const T = Date.now() - 3_600_000;
  const items = SEEDED.flatMap((id, i) => [
    envelope(connected(id, T + i, 1)),
    envelope(connected(id, T + 60_000 + i, 2)),
  ]);
  expect((await postIngest(items)).body).toMatchObject({ accepted: items.length, rejected: [] });
});

describe("read API: cursors", () => {
  const NOT_OURS = { code: "invalid_query", message: "cursor: not a cursor returned by this API" };
  const dangerousText = fc.oneof(
    hostileString(20),
    fc.constantFrom(...SEEDED, "", "\u0000", "a\u0000", "x".repeat(129), "é".repeat(65)),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom(
      "-271821-04-20T00:00:00.000Z",
      "+275760-09-13T00:00:00.000Z",
      "0000-01-01T00:00:00.000Z",
      "1969-12-31T23:59:59.999Z",
      "2026-02-30T00:00:00.000Z",
      "2026-11-26T10:00:00Z",
      "2026",
    ),
  );

  it("validates forged list cursors field by field: a page or 'not a cursor', never a 500", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("clientId", "lastChange"),
        fc.constantFrom("asc", "desc"),
        dangerousText,
        dangerousText,
        async (sort, order, value, clientId) => {
          const cursor = encodeCursor({ sort, order, value, clientId });
          const answer = await timed(() =>
            list(at("/api/clients", new URLSearchParams({ sort, order, cursor }).toString())),
          );
          if (answer.status === 200) return;
          expect(expectErrorContract(answer)).toEqual(NOT_OURS);
        },
      ),
      { numRuns: runs(200) },
    );
  });

  it("takes any 19-digit events cursor up to the largest bigint, and refuses the rest by name", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.stringMatching(/^[0-9]{1,20}$/), fc.stringMatching(/^9[0-9]{18}$/)),
        async (cursor) => {
          const answer = await timed(() =>
            events(at("/x", `cursor=${cursor}`), params({ clientId: SEEDED[0] })),
          );
          if (cursor.length <= 19 && BigInt(cursor) <= 2n ** 63n - 1n) {
            expect(answer.status, answer.text).toBe(200);
          } else {
            expect(expectErrorContract(answer)).toEqual({
              code: "invalid_query",
              message: "cursor must be the nextCursor of an earlier page",
            });
          }
        },
      ),
      { numRuns: runs(150) },
    );
  });
});
