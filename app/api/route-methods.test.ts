// Every API route answers every method: its own handlers, or the contract's 405
// with an Allow header that names exactly the methods it serves.
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isMethodNotAllowed, ROUTE_METHODS } from "@/lib/http/route-methods";

/** Every app/api/**\/route.ts below the project root. */
function routeFiles(dir = __dirname): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

describe("every API route", () => {
  const files = routeFiles();
  it("exists", () => expect(files.length).toBeGreaterThan(20));
  it.each(files.map((f) => [path.relative(process.cwd(), f), f]))(
    "%s exports every method, and refuses the ones it does not serve with the JSON 405",
    async (_name, file) => {
      const mod = (await import(file)) as Record<string, unknown>;
      for (const method of ROUTE_METHODS) expect(typeof mod[method], method).toBe("function");
      // The catch-all for unknown paths answers every method with the contract's 404.
      if (file.includes("[...unknown]")) return;
      const served = ROUTE_METHODS.filter((m) => !isMethodNotAllowed(mod[m]));
      const refused = ROUTE_METHODS.filter((m) => isMethodNotAllowed(mod[m]));
      expect(refused.length).toBeGreaterThan(0);
      for (const method of refused) {
        const handler = mod[method] as (request: Request) => Response;
        const answer = handler(new Request("http://x/api/r", { method }));
        expect(answer.status).toBe(405);
        expect(answer.headers.get("allow")).toBe(served.join(", "));
        expect(((await answer.json()) as { error: { code: string } }).error.code).toBe(
          "method_not_allowed",
        );
      }
    },
  );
});
