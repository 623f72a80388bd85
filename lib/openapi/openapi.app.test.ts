// GET /api/openapi.json against the real app: a valid OpenAPI 3.1 document
// (checked by a maintained validator against the official schema) that names
// every route file with exactly the methods it serves, and whose every query
// parameter and body is one the route really validates (a bad value → 400).
import { readdirSync } from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startApp, type AppServer } from "../../test/support/app-server";

interface Parameter {
  in: string;
  name: string;
  schema: Record<string, unknown> & { items?: Record<string, unknown> };
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, unknown> };
  security?: Array<Record<string, string[]>>;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
let app: AppServer;
let doc: Document;
let adminToken: string;

beforeAll(async () => {
  app = await startApp({ databaseUrl: inject("databaseUrl") });
  const created = await app.fetch("/api/admin/api-tokens", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "openapi test", role: "admin" }),
  });
  adminToken = ((await created.json()) as { token: string }).token;
  const response = await fetch(`${app.url}/api/openapi.json`);
  expect(response.status).toBe(200);
  doc = (await response.json()) as Document;
}, 90_000);
afterAll(() => app?.stop());

/** The URL path each route file serves: app/api/clients/[clientId]/route.ts → /api/clients/{clientId}. */
function routeFiles(): string[] {
  const root = path.resolve("app");
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => path.basename(f) === "route.ts")
    .map((f) => `/${path.dirname(f).split(path.sep).join("/")}`)
    .map((p) => p.replace(/\[([^\].]+)\]/g, "{$1}"))
    .sort();
}

/** Routes that are not API: the catch-all 404 of /api and the reference page's script. */
const NOT_API = new Set(["/api/[...unknown]", "/api-reference/scalar.js"]);

function concrete(template: string): string {
  return template
    .replace("{clientId}", "openapi-probe")
    .replace("{id}", "00000000-0000-4000-8000-000000000000");
}

async function status(url: string, init: RequestInit): Promise<number> {
  const controller = new AbortController();
  const response = await fetch(`${app.url}${url}`, {
    ...init,
    redirect: "manual",
    signal: controller.signal,
  });
  controller.abort(); // the stream route never ends by itself
  return response.status;
}

describe("GET /api/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(doc.openapi).toMatch(/^3\.1\./);
  });

  it("describes every route file, and nothing else", () => {
    const files = routeFiles().filter((p) => !NOT_API.has(p));
    expect(Object.keys(doc.paths).sort()).toEqual(files);
  });

  it("lists exactly the methods each route serves", async () => {
    const mismatches: string[] = [];
    for (const [template, item] of Object.entries(doc.paths)) {
      // Ingest paths take the ingest token (checked before any body is read), the rest an API token.
      const ingest = Object.values(item).some((op) =>
        op.security?.some((scheme) => "ingestToken" in scheme),
      );
      const auth = {
        Authorization: `Bearer ${ingest ? "test-token" : adminToken}`,
        "Content-Type": "application/json",
      };
      for (const method of METHODS) {
        const init: RequestInit = { method: method.toUpperCase(), headers: auth };
        // Bodies that fail validation: nothing is ever created or changed here.
        if (method !== "get" && method !== "delete") init.body = "42";
        // DELETEs find nothing at the probe id: nothing is removed either.
        const got = await status(concrete(template), init);
        const documented = item[method] !== undefined;
        if (documented === (got === 405))
          mismatches.push(
            `${method.toUpperCase()} ${template}: documented=${documented}, got ${got}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  });
});

/**
 * A value the parameter's schema refuses. The JSON Schema says most (enum,
 * bounds, pattern, length); the rest are refinements zod checks in code,
 * listed here by name. A parameter with neither fails the test: it would be
 * documented without being validated.
 */
const REFINED: Record<string, string> = {
  from: "yesterday",
  asOf: "yesterday",
  to: "yesterday",
  label: "no-colon",
  key: "Not A Key!",
  clientId: "x".repeat(200),
};

function badValue(p: Parameter): string | null {
  const refined = REFINED[p.name];
  if (refined !== undefined) return refined;
  const s = p.schema.type === "array" ? (p.schema.items ?? {}) : p.schema;
  if (Array.isArray(s.enum)) return "not-one-of-them";
  if (s.type === "integer" || s.type === "number") return "1.5x";
  if (typeof s.pattern === "string") return "!not-matching!";
  if (typeof s.maxLength === "number") return "x".repeat(s.maxLength + 1);
  return null;
}

describe("every documented parameter is validated", () => {
  it("a bad value of each query parameter is a 400 naming it", async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const p of op.parameters ?? []) {
          if (p.in !== "query") continue;
          const bad = badValue(p);
          if (bad === null) {
            failures.push(`${template} ${p.name}: no bad value known`);
            continue;
          }
          const url = `${concrete(template)}?${new URLSearchParams({ [p.name]: bad })}`;
          const response = await fetch(`${app.url}${url}`, {
            method: method.toUpperCase(),
            headers: { Authorization: `Bearer ${adminToken}` },
          });
          const body = (await response.json()) as { error?: { code: string; message: string } };
          checked++;
          if (
            response.status !== 400 ||
            body.error?.code !== "invalid_query" ||
            !body.error.message.includes(p.name)
          )
            failures.push(
              `${template}?${p.name}=${bad.slice(0, 20)} → ${response.status} ${JSON.stringify(body).slice(0, 160)}`,
            );
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it("a body of the wrong type is a 400 on every route that takes one", async () => {
    const failures: string[] = [];
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (op.requestBody === undefined) continue;
        const ingest = template === "/api/ingest" || template.startsWith("/api/ingest/");
        const response = await fetch(`${app.url}${concrete(template)}`, {
          method: method.toUpperCase(),
          headers: {
            Authorization: `Bearer ${ingest ? "test-token" : adminToken}`,
            "Content-Type": "application/json",
          },
          body: "42",
        });
        if (response.status !== 400) failures.push(`${method} ${template} → ${response.status}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
