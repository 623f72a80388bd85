// A route answers the methods it does not serve with the contract's 405.
import { describe, expect, it } from "vitest";
import { routeMethods } from "./route-methods";

const ok = (_request?: Request, _context?: never): Response | Promise<Response> =>
  new Response("ok");

describe("routeMethods", () => {
  it("keeps the handlers given and answers the rest with 405 naming them in Allow", async () => {
    const route = routeMethods({ GET: ok, DELETE: ok });
    // The handlers given answer, with no-store (issue #14, finding 9).
    for (const served of [route.GET, route.DELETE]) {
      const answer = await served(new Request("http://x/api/thing"), undefined as never);
      expect(answer.status).toBe((await ok()).status);
      expect(answer.headers.get("cache-control")).toBe("no-store");
    }
    const answer = route.PATCH(new Request("http://x/api/thing", { method: "PATCH" }));
    expect(answer.status).toBe(405);
    expect(answer.headers.get("allow")).toBe("GET, DELETE");
    expect(await answer.json()).toEqual({
      error: {
        code: "method_not_allowed",
        message: "PATCH is not allowed on /api/thing; use GET, DELETE.",
      },
    });
  });
});
