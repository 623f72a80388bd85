// The label API against real PostgreSQL: admin-only writes, viewer reads,
// exact error bodies, and imports that are all or nothing.
import { beforeEach, describe, expect, it } from "vitest";
import { PRINCIPAL_HEADER } from "@/lib/auth/access";
import type { Principal } from "@/lib/auth/schemas";
import { db } from "@/lib/db/client";
import { resetDatabase } from "@/test/support/db";
import { BASE, params } from "@/test/support/routes";
import { GET as getLabels, PUT as putLabels } from "../clients/[clientId]/labels/route";
import { POST as importLabels } from "./import/route";

const ADMIN: Principal = { operatorId: "1", username: "alice", role: "admin", csrfToken: "x" };
const VIEWER: Principal = { operatorId: "2", username: "victor", role: "viewer", csrfToken: "y" };

function request(
  path: string,
  init: { method?: string; body?: unknown; as?: Principal | null; type?: string } = {},
): Request {
  const headers: Record<string, string> = { "Content-Type": init.type ?? "application/json" };
  const as = init.as === undefined ? ADMIN : init.as;
  if (as !== null) headers[PRINCIPAL_HEADER] = encodeURIComponent(JSON.stringify(as));
  const body =
    init.body === undefined || typeof init.body === "string"
      ? init.body
      : JSON.stringify(init.body);
  return new Request(`${BASE}${path}`, { method: init.method ?? "GET", headers, body });
}

async function call(response: Response | Promise<Response>) {
  const r = await response;
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const put = (clientId: string, body: unknown, as?: Principal) =>
  call(
    putLabels(
      request(`/api/clients/${encodeURIComponent(clientId)}/labels`, { method: "PUT", body, as }),
      params({ clientId }),
    ),
  );
const get = (clientId: string, as: Principal = VIEWER) =>
  call(getLabels(request(`/api/clients/x/labels`, { as }), params({ clientId })));
const importAs = (body: string, type: string, as?: Principal, query = "") =>
  call(importLabels(request(`/api/labels/import${query}`, { method: "POST", body, type, as })));

const error = (code: string, message: string) => ({ error: { code, message } });

async function allLabels(): Promise<string[]> {
  const r = await db().pool.query<{ row: string }>(
    "SELECT client_id || '/' || key || '=' || value AS row FROM client_label ORDER BY 1",
  );
  return r.rows.map((x) => x.row);
}

beforeEach(resetDatabase);

describe("PUT and GET /api/clients/{clientId}/labels", () => {
  it("replaces the labels of a client never seen, and a viewer reads them", async () => {
    expect(await put("dev-1", { labels: { site: "berlin", tier: "gold" } })).toEqual({
      status: 200,
      body: { labels: { site: "berlin", tier: "gold" } },
    });
    expect(await put("dev-1", { labels: { site: "paris" } })).toEqual({
      status: 200,
      body: { labels: { site: "paris" } },
    });
    expect(await get("dev-1")).toEqual({ status: 200, body: { labels: { site: "paris" } } });
    expect(await get("never-labelled")).toEqual({ status: 200, body: { labels: {} } });
    expect(await put("dev-1", { labels: {} })).toEqual({ status: 200, body: { labels: {} } });
    expect(await allLabels()).toEqual([]);
  });

  it.each([
    {
      name: "a viewer may not write",
      clientId: "dev-1",
      body: { labels: { site: "x" } },
      as: VIEWER,
      status: 403,
      expected: error("forbidden", "Only admins may do this."),
    },
    {
      name: "a bad key",
      clientId: "dev-1",
      body: { labels: { Site: "x" } },
      status: 400,
      expected: error(
        "invalid_body",
        "labels: label key 'Site' must match [a-z0-9][a-z0-9_.-]{0,62} (lower-case letters, digits, '_', '.', '-'; at most 63 characters, starting with a letter or digit)",
      ),
    },
    {
      name: "a value too long",
      clientId: "dev-1",
      body: { labels: { site: "é".repeat(257) } },
      status: 400,
      expected: error(
        "invalid_body",
        "labels: label 'site' value is 257 characters; at most 256 are allowed",
      ),
    },
    {
      name: "an empty value",
      clientId: "dev-1",
      body: { labels: { site: "" } },
      status: 400,
      expected: error(
        "invalid_body",
        "labels: label 'site' has an empty value (values are 1 to 256 characters)",
      ),
    },
    {
      name: "a value that is no string",
      clientId: "dev-1",
      body: { labels: { site: 3 } },
      status: 400,
      expected: error("invalid_body", "labels.site: label values must be strings"),
    },
    {
      name: "no labels object",
      clientId: "dev-1",
      body: { site: "x" },
      status: 400,
      expected: error("invalid_body", "labels: must be an object of key: value strings"),
    },
    {
      name: "a client ID no device can have",
      clientId: "a+b",
      body: { labels: { site: "x" } },
      status: 400,
      expected: error("invalid_path", "clientId must not contain '#', '+' or a NUL character"),
    },
  ])("refuses $name", async ({ clientId, body, as, status, expected }) => {
    expect(await put(clientId, body, as)).toEqual({ status, body: expected });
    expect(await allLabels()).toEqual([]);
  });

  it("accepts a value of exactly 256 characters (astral ones counted once)", async () => {
    const value = "😀".repeat(256);
    expect((await put("dev-1", { labels: { site: value } })).status).toBe(200);
  });
});

describe("POST /api/labels/import", () => {
  it("replaces the labels of each listed client from CSV, leaving the others alone", async () => {
    await put("kept", { labels: { site: "rome" } });
    await put("a", { labels: { old: "1", site: "x" } });
    const csv = 'clientId,key,value\na,site,berlin\na,tier,gold\nb,site,"paris, fr"\n';
    expect(await importAs(csv, "text/csv")).toEqual({
      status: 200,
      body: { clients: 2, labels: 3, rejected: [] },
    });
    expect(await allLabels()).toEqual([
      "a/site=berlin",
      "a/tier=gold",
      "b/site=paris, fr",
      "kept/site=rome",
    ]);
  });

  it("imports JSON, and previews a change without writing it (dryRun)", async () => {
    await put("a", { labels: { site: "x", gone: "1" } });
    const body = JSON.stringify([
      { clientId: "a", labels: { site: "y", fw: "2" } },
      { clientId: "b", labels: {} },
    ]);
    const preview = await importAs(body, "application/json", ADMIN, "?dryRun=true");
    expect(preview).toEqual({
      status: 200,
      body: {
        clients: 2,
        labels: 2,
        rejected: [],
        preview: {
          changedClients: 1,
          added: 1,
          changed: 1,
          removed: 1,
          items: [
            { clientId: "a", before: { site: "x", gone: "1" }, after: { site: "y", fw: "2" } },
          ],
        },
      },
    });
    expect(await allLabels()).toEqual(["a/gone=1", "a/site=x"]);
    expect(await importAs(body, "application/json")).toEqual({
      status: 200,
      body: { clients: 2, labels: 2, rejected: [] },
    });
    expect(await allLabels()).toEqual(["a/fw=2", "a/site=y"]);
  });

  it("rejects the whole import when one row is bad, naming every bad row", async () => {
    const csv = [
      "clientId,key,value",
      "a,site,berlin",
      "b,Bad Key,x",
      "c,site,",
      "a,site,again",
      "d,site",
      "e+1,site,x",
    ].join("\n");
    expect(await importAs(csv, "text/csv")).toEqual({
      status: 400,
      body: {
        error: { code: "invalid_body", message: "5 rows were rejected; nothing was imported." },
        clients: 0,
        labels: 0,
        rejected: [
          {
            line: 3,
            error:
              "label key 'Bad Key' must match [a-z0-9][a-z0-9_.-]{0,62} (lower-case letters, digits, '_', '.', '-'; at most 63 characters, starting with a letter or digit)",
          },
          {
            line: 4,
            error: "label 'site' has an empty value (values are 1 to 256 characters)",
          },
          { line: 5, error: "clientId 'a' has label 'site' on an earlier line" },
          { line: 6, error: "expected 3 fields (clientId,key,value), got 2" },
          { line: 7, error: "clientId must not contain '#', '+' or a NUL character" },
        ],
      },
    });
    expect(await allLabels()).toEqual([]);
  });

  it.each([
    {
      name: "a viewer",
      body: "clientId,key,value\n",
      type: "text/csv",
      as: VIEWER,
      status: 403,
      expected: error("forbidden", "Only admins may do this."),
    },
    {
      name: "a CSV without its header",
      body: "a,site,berlin\n",
      type: "text/csv",
      status: 400,
      expected: error(
        "invalid_body",
        "The CSV must start with the header line clientId,key,value; got 'a,site,berlin'.",
      ),
    },
    {
      name: "another content type",
      body: "x",
      type: "text/plain",
      status: 400,
      expected: error(
        "invalid_body",
        "Content-Type must be text/csv (header clientId,key,value) or application/json.",
      ),
    },
    {
      name: "JSON that is no array",
      body: "{}",
      type: "application/json",
      status: 400,
      expected: error(
        "invalid_body",
        'Body must be a JSON array of {"clientId", "labels": {...}}.',
      ),
    },
  ])("refuses $name", async ({ body, type, as, status, expected }) => {
    expect(await importAs(body, type, as)).toEqual({ status, body: expected });
  });

  it("refuses a body past LABELS_IMPORT_MAX_BYTES with 413", async () => {
    process.env.LABELS_IMPORT_MAX_BYTES = "100";
    try {
      const csv = `clientId,key,value\n${"a,site,x\n".repeat(20)}`;
      expect(await importAs(csv, "text/csv")).toEqual({
        status: 413,
        body: error("payload_too_large", "Body exceeds the 100-byte limit; send smaller batches."),
      });
    } finally {
      delete process.env.LABELS_IMPORT_MAX_BYTES;
    }
  });

  it("imports 100,000 rows in one request, and one bad row among them rejects them all", async () => {
    const rows = ["clientId,key,value"];
    for (let i = 0; i < 50_000; i += 1)
      rows.push(`dev-${i},site,site-${i % 20}`, `dev-${i},fw,1.${i % 7}`);
    const csv = `${rows.join("\n")}\n`;
    const started = performance.now();
    expect(await importAs(csv, "text/csv")).toEqual({
      status: 200,
      body: { clients: 50_000, labels: 100_000, rejected: [] },
    });
    // Not a benchmark: a generous ceiling that a statement per row would blow through.
    expect(performance.now() - started).toBeLessThan(10_000);
    const count = async () =>
      (await db().pool.query<{ n: number }>("SELECT count(*)::int AS n FROM client_label")).rows[0]!
        .n;
    expect(await count()).toBe(100_000);

    const bad = csv.replace("dev-49999,fw,1.", "dev-49999,FW,1.").replace(/site-3\n/g, "site-4\n");
    const answer = await importAs(bad, "text/csv");
    expect(answer.status).toBe(400);
    expect(answer.body.rejected).toEqual([
      { line: 100_001, error: expect.stringContaining("label key 'FW'") as unknown },
    ]);
    const unchanged = await db().pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM client_label WHERE value = 'site-3'",
    );
    expect(unchanged.rows[0]!.n).toBe(2_500);
  });
});
