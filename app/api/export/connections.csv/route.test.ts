import { parse } from "csv-parse/sync";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { runningExports } from "@/lib/export/limits";
import { csvAttachmentRows } from "@/test/support/csv";
import { resetDatabase } from "@/test/support/db";
import { connected, disconnected, envelope } from "@/test/support/events";
import { BASE, ingestRequest, params, viewerRequest } from "@/test/support/routes";
import { POST as ingest } from "../../ingest/route";
import { GET as clientCsv } from "../../clients/[clientId]/connections.csv/route";
import { GET as fleetCsv } from "./route";

const HEADER =
  "clientId,sessionIdentifier,versionNumber,connectedAt,disconnectedAt,durationSeconds,disconnectReason,clientInitiatedDisconnect,principalIdentifier,ipAddress";
const T = Date.UTC(2026, 10, 20, 12, 0, 0);

beforeEach(async () => {
  await resetDatabase();
  const r = await ingest(
    ingestRequest([
      envelope(
        connected('quote"comma,dev', T, 1, { principalIdentifier: '=HYPERLINK("http://evil")' }),
      ),
      envelope(
        disconnected('quote"comma,dev', T + 90_000, 1, { disconnectReason: "CONNECTION_LOST" }),
      ),
      envelope(
        connected("plain", T + 1_000, 2, { ipAddress: "@evil", principalIdentifier: "-2+3" }),
      ),
    ]),
  );
  expect(r.status).toBe(200);
});

describe("GET /api/export/connections.csv", () => {
  it("streams an RFC 4180 attachment with the contract's header", async () => {
    const r = await fleetCsv(viewerRequest(`${BASE}/api/export/connections.csv`));
    expect(r.status).toBe(200);
    const rows = await csvAttachmentRows(r, "fleet-connections", HEADER);
    expect(rows).toEqual([
      {
        clientId: "plain",
        sessionIdentifier: "session-plain",
        versionNumber: "2",
        connectedAt: new Date(T + 1_000).toISOString(),
        disconnectedAt: "",
        durationSeconds: "",
        disconnectReason: "",
        clientInitiatedDisconnect: "",
        principalIdentifier: "'-2+3",
        ipAddress: "'@evil",
      },
      {
        clientId: 'quote"comma,dev',
        sessionIdentifier: 'session-quote"comma,dev',
        versionNumber: "1",
        connectedAt: new Date(T).toISOString(),
        disconnectedAt: new Date(T + 90_000).toISOString(),
        durationSeconds: "90",
        disconnectReason: "CONNECTION_LOST",
        clientInitiatedDisconnect: "false",
        principalIdentifier: '\'=HYPERLINK("http://evil")',
        ipAddress: "192.0.2.10",
      },
    ]);
  });

  it("filters by q, status and range", async () => {
    const byQ = await (
      await fleetCsv(viewerRequest(`${BASE}/api/export/connections.csv?q=plain`))
    ).text();
    expect(parse(byQ, { columns: true })).toHaveLength(1);
    const offline = await (
      await fleetCsv(viewerRequest(`${BASE}/api/export/connections.csv?status=online`))
    ).text();
    expect(
      (parse(offline, { columns: true }) as { clientId: string }[]).map((r) => r.clientId),
    ).toEqual(["plain"]);
    const early = await (
      await fleetCsv(
        viewerRequest(`${BASE}/api/export/connections.csv?to=${new Date(T - 1).toISOString()}`),
      )
    ).text();
    expect(early).toBe(`${HEADER}\r\n`);
  });

  it("400 for a bad date", async () => {
    const r = await fleetCsv(viewerRequest(`${BASE}/api/export/connections.csv?from=tuesday`));
    expect({ status: r.status, body: await r.json() }).toEqual({
      status: 400,
      body: {
        error: {
          code: "invalid_query",
          message: "from: 'tuesday' is not an ISO 8601 time or epoch ms",
        },
      },
    });
  });
});

describe("GET /api/export/connections.csv across fetch batches", () => {
  // Twelve FETCHes of 1,000 rows, the last one partial.
  const ROWS = 11_234;

  beforeEach(async () => {
    await db().pool.query(
      `INSERT INTO connection (client_id, session_identifier, version_number, connected_at, disconnected_at)
       SELECT 'bulk', 's', n, $1::timestamptz + n * interval '1 minute', $1::timestamptz + n * interval '1 minute' + interval '30 seconds'
         FROM generate_series(1, $2::int) AS n`,
      [new Date(T), ROWS],
    );
    await db().pool.query(
      `INSERT INTO client_state (client_id, first_seen_at, updated_at, last_event_at) VALUES ('bulk', now(), now(), now())`,
    );
  });

  it("writes every row once, in order, with one header", async () => {
    const text = await (
      await fleetCsv(viewerRequest(`${BASE}/api/export/connections.csv?q=bulk`))
    ).text();
    expect(text.split("\r\n").filter((line) => line === HEADER)).toHaveLength(1);
    const rows = parse(text, { columns: true }) as {
      versionNumber: string;
      durationSeconds: string;
    }[];
    expect(rows.map((r) => Number(r.versionNumber))).toEqual(
      Array.from({ length: ROWS }, (_, i) => i + 1),
    );
    expect(new Set(rows.map((r) => r.durationSeconds))).toEqual(new Set(["30"]));
  });

  it("frees the database connection when the download is cancelled mid-stream", async () => {
    const pool = db().exportPool;
    const response = await fleetCsv(viewerRequest(`${BASE}/api/export/connections.csv?q=bulk`));
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(pool.totalCount - pool.idleCount).toBeGreaterThan(0);
    await reader.cancel();
    await expect.poll(() => pool.totalCount - pool.idleCount, { timeout: 5_000 }).toBe(0);
    // The freed connection works (no portal or transaction left behind).
    const { rows } = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM connection WHERE client_id = 'bulk'",
    );
    expect(rows[0]!.n).toBe(ROWS);
    expect(runningExports()).toBe(0);
  });

  // Finding 1 of issue #14: exports must not hold connections without bound.
  describe("limits (lib/export/limits.ts)", () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    });
    const fleet = (operatorId?: string) =>
      fleetCsv(viewerRequest(`${BASE}/api/export/connections.csv?q=bulk`, {}, operatorId));
    const drain = async (reader: ReadableStreamDefaultReader<Uint8Array>, pauseMs = 0) => {
      for (;;) {
        const { done } = await reader.read();
        if (done) return;
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      }
    };

    it("runs on its own pool: the main pool keeps every connection while exports stall", async () => {
      const a = (await fleet("1")).body!.getReader();
      const b = (await fleet("2")).body!.getReader();
      await Promise.all([a.read(), b.read()]);
      expect(db().pool.totalCount - db().pool.idleCount).toBe(0);
      expect(db().exportPool.totalCount - db().exportPool.idleCount).toBe(2);
      await Promise.all([a.cancel(), b.cancel()]);
      await expect.poll(() => runningExports()).toBe(0);
    });

    it("429 with Retry-After past the per-operator and the total limit; a cancelled export gives its slot back", async () => {
      process.env.EXPORT_MAX_PER_OPERATOR = "2";
      process.env.EXPORT_MAX_CONCURRENT = "3";
      const first = (await fleet("1")).body!.getReader();
      const second = (await fleet("1")).body!.getReader();
      const refused = await fleet("1");
      expect({
        status: refused.status,
        retryAfter: refused.headers.get("retry-after"),
        body: await refused.json(),
      }).toEqual({
        status: 429,
        retryAfter: "10",
        body: {
          error: {
            code: "too_many_requests",
            message:
              "You already run 2 CSV exports at once (the limit, EXPORT_MAX_PER_OPERATOR); retry when one has finished.",
          },
        },
      });
      const other = (await fleet("2")).body!.getReader();
      const full = await fleet("3");
      expect({ status: full.status, body: await full.json() }).toEqual({
        status: 429,
        body: {
          error: {
            code: "too_many_requests",
            message:
              "The server runs 3 CSV exports at once (the limit, EXPORT_MAX_CONCURRENT); retry shortly.",
          },
        },
      });
      await first.cancel();
      await expect.poll(() => runningExports()).toBe(2);
      const again = await fleet("1");
      expect(again.status).toBe(200);
      await Promise.all([drain(again.body!.getReader()), second.cancel(), other.cancel()]);
      await expect.poll(() => runningExports()).toBe(0);
    });

    it("ends an export whose reader takes nothing for EXPORT_IDLE_TIMEOUT_SECONDS, freeing slot and connection", async () => {
      process.env.EXPORT_IDLE_TIMEOUT_SECONDS = "0.3";
      const reader = (await fleet()).body!.getReader();
      expect((await reader.read()).done).toBe(false);
      expect(runningExports()).toBe(1);
      await expect.poll(() => runningExports(), { timeout: 3_000 }).toBe(0);
      const pool = db().exportPool;
      expect(pool.totalCount - pool.idleCount).toBe(0);
      await expect(drain(reader)).rejects.toThrow(/EXPORT_IDLE_TIMEOUT_SECONDS/);
    });

    it("ends an export still being read at EXPORT_MAX_SECONDS", async () => {
      process.env.EXPORT_MAX_SECONDS = "0.5";
      const reader = (await fleet()).body!.getReader();
      // Twelve chunks, one every 100 ms: it would take 1.2 s.
      await expect(drain(reader, 100)).rejects.toThrow(/EXPORT_MAX_SECONDS/);
      expect(runningExports()).toBe(0);
    });
  });
});

describe("GET /api/clients/{clientId}/connections.csv", () => {
  it("exports one client's timeline", async () => {
    const r = await clientCsv(viewerRequest(`${BASE}/x`), params({ clientId: "plain" }));
    expect(r.headers.get("content-disposition")).toMatch(
      /^attachment; filename="plain-connections-/,
    );
    const rows = parse(await r.text(), { columns: true }) as { clientId: string }[];
    expect(rows.map((row) => row.clientId)).toEqual(["plain"]);
  });

  it("ends a superseded connection with no later one where it starts, and leaves it out of a later range", async () => {
    // v3 lost its disconnect; v5 is current (higher version) though its clock reads a minute earlier.
    await ingest(
      ingestRequest([
        envelope(connected("skew", T, 5)),
        envelope(connected("skew", T + 60_000, 3)),
      ]),
    );
    const all = parse(
      await (await clientCsv(viewerRequest(`${BASE}/x`), params({ clientId: "skew" }))).text(),
      {
        columns: true,
      },
    ) as {
      versionNumber: string;
      connectedAt: string;
      disconnectedAt: string;
      durationSeconds: string;
    }[];
    expect(
      all.map((row) => [
        row.versionNumber,
        row.connectedAt,
        row.disconnectedAt,
        row.durationSeconds,
      ]),
    ).toEqual([
      ["5", new Date(T).toISOString(), "", ""],
      ["3", new Date(T + 60_000).toISOString(), new Date(T + 60_000).toISOString(), "0"],
    ]);
    const later = parse(
      await (
        await clientCsv(
          viewerRequest(`${BASE}/x?from=${new Date(T + 120_000).toISOString()}`),
          params({ clientId: "skew" }),
        )
      ).text(),
      { columns: true },
    ) as { versionNumber: string }[];
    expect(later.map((row) => row.versionNumber)).toEqual(["5"]);
  });

  it("404 for an unknown client", async () => {
    const r = await clientCsv(viewerRequest(`${BASE}/x`), params({ clientId: "ghost" }));
    expect({ status: r.status, body: await r.json() }).toEqual({
      status: 404,
      body: { error: { code: "not_found", message: "No client 'ghost' has been seen." } },
    });
  });
});
