// A route answers the methods it does not serve with the contract's 405.
import { describe, expect, it } from "vitest";
import { routeMethods } from "./route-methods";

const ok = () => new Response("ok");

describe("routeMethods", () => {
  it("keeps the handlers given and answers the rest with 405 naming them in Allow", async () => {
    const route = routeMethods({ GET: ok, DELETE: ok });
    expect(route.GET).toBe(ok);
    expect(route.DELETE).toBe(ok);
    const answer = await route.PATCH(new Request("http://x/api/thing", { method: "PATCH" }));
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
