import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { countRows, resetDatabase } from "@/test/support/db";
import { connected, disconnected, envelope, subscribed } from "@/test/support/events";
import { ingestRequest } from "@/test/support/routes";
import { POST } from "./route";

const T0 = Date.UTC(2026, 10, 26, 8, 0, 0);

async function post(body: unknown, token?: string | null) {
  const response = await POST(ingestRequest(body, token));
  return { status: response.status, body: await response.json() };
}

beforeEach(resetDatabase);

describe("POST /api/ingest: request errors", () => {
  it.each([
    {
      name: "no token",
      token: null,
      body: [],
      status: 401,
      error: {
        code: "unauthorized",
        message: "A valid bearer token is required (Authorization: Bearer <INGEST_TOKEN>).",
      },
    },
    {
      name: "wrong token",
      token: "nope",
      body: [],
      status: 401,
      error: { code: "unauthorized", message: "The bearer token is not valid." },
    },
    {
      name: "not JSON",
      token: "test-token",
      body: "{not json",
      status: 400,
      error: {
        code: "invalid_json",
        message: expect.stringMatching(/^Body is not valid JSON: /),
      },
    },
    {
      name: "a JSON number",
      token: "test-token",
      body: "42",
      status: 400,
      error: {
        code: "invalid_body",
        message: "Body must be a JSON object (an envelope or a payload) or an array of envelopes.",
      },
    },
    {
      name: "too large",
      token: "test-token",
      body: JSON.stringify([{ pad: "x".repeat(1024 * 1024) }]),
      status: 413,
      error: {
        code: "payload_too_large",
        message: "Body exceeds the 1048576-byte limit; send smaller batches.",
      },
    },
  ])("$name → $status", async ({ token, body, status, error }) => {
    const result = await post(body, token);
    expect(result).toEqual({ status, body: { error } });
  });

  it("accepts every token of the comma-separated list (rotation)", async () => {
    expect((await post([], "rotated-token")).status).toBe(200);
  });
});

describe("POST /api/ingest: per-event validation", () => {
  const good = connected("dev-1", T0, 1);
  it.each([
    {
      name: "missing clientId",
      item: { ...good, clientId: undefined },
      error: "clientId must be a string",
    },
    {
      name: "clientId with #",
      item: connected("a#b", T0, 1),
      error: "clientId must not contain '#' or '+' (AWS IoT sends no lifecycle events for them)",
    },
    {
      name: "clientId with +",
      item: connected("a+b", T0, 1),
      error: "clientId must not contain '#' or '+' (AWS IoT sends no lifecycle events for them)",
    },
    {
      name: "clientId over 128 bytes",
      item: connected("é".repeat(65), T0, 1),
      error: "clientId must be at most 128 bytes",
    },
    {
      name: "timestamp in seconds",
      item: { ...good, timestamp: 1764144000 },
      error: "timestamp is not a plausible epoch-ms value (before 2000)",
    },
    {
      name: "timestamp a string",
      item: { ...good, timestamp: "yesterday" },
      error: "timestamp must be a number (ms since epoch)",
    },
    {
      name: "negative version",
      item: { ...good, versionNumber: -1 },
      error: "versionNumber must not be negative",
    },
    {
      name: "unknown eventType",
      item: { ...good, eventType: "rebooted" },
      error:
        "eventType must be one of connected, disconnected, subscribed, unsubscribed, connect_failed",
    },
    {
      name: "topics not an array",
      item: { ...subscribed("dev-1", T0, []), topics: "a/b" },
      error: "topics must be an array of strings",
    },
    {
      name: "topics with a number",
      item: { ...subscribed("dev-1", T0, []), topics: ["a", 3] },
      error: "topics.1: topics must be an array of strings",
    },
    {
      name: "payload is a NUL-bearing string",
      item: { ...good, extra: "a\u0000b" },
      error: "payload.extra contains a NUL character (\\u0000), which cannot be stored",
    },
  ])("$name", async ({ item, error }) => {
    const result = await post([item]);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ accepted: 0, duplicates: 0, rejected: [{ index: 0, error }] });
    const q = await db().pool.query("SELECT reason, raw FROM quarantined_event");
    expect(q.rows).toHaveLength(1);
    expect(q.rows[0].reason).toBe(error);
  });

  it.each([
    {
      name: "topic of another client",
      topic: "$aws/events/presence/connected/dev-2",
      error: "topic says clientId 'dev-2' but payload says 'dev-1'",
    },
    {
      name: "topic of another event type",
      topic: "$aws/events/presence/disconnected/dev-1",
      error: "topic says eventType 'disconnected' but payload says 'connected'",
    },
    {
      name: "not a lifecycle topic",
      topic: "devices/dev-1/state",
      error: "topic 'devices/dev-1/state' is not an AWS IoT lifecycle event topic",
    },
  ])("$name", async ({ topic, error }) => {
    const result = await post([{ topic, payload: good }]);
    expect(result.body).toEqual({ accepted: 0, duplicates: 0, rejected: [{ index: 0, error }] });
  });

  it("rejects a payload string that is not JSON, keeping its raw text", async () => {
    const result = await post([{ topic: "$aws/events/presence/connected/x", payload: "{oops" }]);
    expect(result.body).toMatchObject({
      accepted: 0,
      rejected: [{ index: 0, error: expect.stringMatching(/^payload is not valid JSON/) }],
    });
    const q = await db().pool.query("SELECT topic, raw FROM quarantined_event");
    expect(q.rows[0]).toEqual({
      topic: "$aws/events/presence/connected/x",
      raw: JSON.stringify({ topic: "$aws/events/presence/connected/x", payload: "{oops" }),
    });
  });

  it("accepts part of a batch and reports each rejected index", async () => {
    const result = await post([
      envelope(connected("dev-1", T0, 1)),
      envelope({ ...connected("dev-2", T0, 1), versionNumber: -3 }),
      envelope(disconnected("dev-1", T0 + 5_000, 1)),
      "not an object",
    ]);
    expect(result.body).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [
        { index: 1, error: "versionNumber must not be negative" },
        { index: 3, error: "item must be a JSON object" },
      ],
    });
    expect(await countRows("lifecycle_event")).toBe(2);
    expect(await countRows("quarantined_event")).toBe(2);
  });
});

describe("POST /api/ingest: body shapes and duplicates", () => {
  it("takes one envelope, a string payload, and a bare payload", async () => {
    const a = connected("dev-a", T0, 1);
    const b = connected("dev-b", T0, 1);
    const c = connected("dev-c", T0, 1, { someNewAwsField: { nested: true } });
    expect((await post(envelope(a))).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await post({ topic: envelope(b).topic, payload: JSON.stringify(b) })).body).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [],
    });
    expect((await post(c)).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const raw = await db().pool.query(
      "SELECT raw, topic FROM lifecycle_event WHERE client_id = 'dev-c'",
    );
    expect(raw.rows[0]).toEqual({ raw: c, topic: "$aws/events/presence/connected/dev-c" });
  });

  it("stores identical events once, within and across batches, whatever the key order", async () => {
    const e = connected("dev-1", T0, 7);
    const reordered = Object.fromEntries(Object.entries(e).reverse());
    expect((await post([envelope(e), envelope(e)])).body).toEqual({
      accepted: 1,
      duplicates: 1,
      rejected: [],
    });
    expect((await post([{ topic: envelope(e).topic, payload: reordered }])).body).toEqual({
      accepted: 0,
      duplicates: 1,
      rejected: [],
    });
    expect(await countRows("lifecycle_event")).toBe(1);
  });

  it("accepts old payloads without disconnectReason and ipAddress", async () => {
    const { ipAddress: _ip, ...oldConnect } = connected("legacy", T0, 1);
    const { disconnectReason: _r, ...oldDisconnect } = disconnected("legacy", T0 + 1_000, 1);
    expect(
      (await post([envelope(oldConnect as never), envelope(oldDisconnect as never)])).body,
    ).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [],
    });
  });
});

describe("POST /api/ingest: typed columns come from the fields each event type has", () => {
  it("keeps fields a type does not have in the raw payload only, never casting them", async () => {
    // The schema checks versionNumber, disconnectReason etc. only where the
    // event type has them; elsewhere they are unknown fields of any JSON type.
    const odd = {
      versionNumber: "not a number",
      clientInitiatedDisconnect: "maybe",
      topics: 7,
      ipAddress: "10.0.0.9",
    };
    const result = await post([
      envelope(
        subscribed("typed-1", T0, ["a/b"], {
          versionNumber: "x",
          disconnectReason: "Z",
          connectFailureReason: "Q",
        }),
      ),
      envelope(
        connected("typed-1", T0 + 1, 3, {
          ...odd,
          versionNumber: 3,
          disconnectReason: "Z",
          topics: ["t"],
        }),
      ),
      envelope(
        disconnected("typed-1", T0 + 2, 3, {
          ipAddress: "10.9.9.9",
          topics: "t",
          connectFailureReason: "Q",
        }),
      ),
    ]);
    expect(result).toMatchObject({ status: 200, body: { accepted: 3, duplicates: 0 } });
    const events = await db().pool.query(
      "SELECT event_type, version_number, raw->>'versionNumber' AS raw_version FROM lifecycle_event ORDER BY id",
    );
    expect(events.rows).toEqual([
      { event_type: "subscribed", version_number: null, raw_version: "x" },
      { event_type: "connected", version_number: "3", raw_version: "3" },
      { event_type: "disconnected", version_number: "3", raw_version: "3" },
    ]);
    const conn = await db().pool.query(
      "SELECT ip_address, disconnect_reason, client_initiated_disconnect FROM connection WHERE client_id = 'typed-1'",
    );
    // ipAddress from the connect only; the disconnect's reason and flag, not the connect's.
    expect(conn.rows).toEqual([
      {
        ip_address: "10.0.0.9",
        disconnect_reason: "CONNECTION_LOST",
        client_initiated_disconnect: false,
      },
    ]);
    const subs = await db().pool.query(
      "SELECT topic FROM subscription_state WHERE client_id = 'typed-1'",
    );
    expect(subs.rows).toEqual([{ topic: "a/b" }]);
    expect(await countRows("connect_failure")).toBe(0);
  });
});

describe("POST /api/ingest: the derived client row when a batch changes no connection", () => {
  async function clientRow(id: string) {
    const r = await db().pool.query(
      `SELECT session_identifier, version_number, connected_at, last_connected_at, last_event_at
         FROM client_state WHERE client_id = $1`,
      [id],
    );
    return r.rows[0];
  }

  it("keeps the current connection, moves the last event time forward only, and records a client first seen subscribing", async () => {
    expect((await post([envelope(connected("keep-1", T0, 4))])).status).toBe(200);
    const before = await clientRow("keep-1");
    expect(before).toMatchObject({ version_number: "4", last_event_at: new Date(T0) });

    // Subscription events alone: only the last-event time moves.
    await post([
      envelope(
        subscribed("keep-1", T0 + 5_000, ["a/b"], { sessionIdentifier: before.session_identifier }),
      ),
    ]);
    expect(await clientRow("keep-1")).toEqual({ ...before, last_event_at: new Date(T0 + 5_000) });
    // An older one arriving late does not move it back.
    await post([envelope(subscribed("keep-1", T0 - 5_000, ["c/d"]))]);
    expect(await clientRow("keep-1")).toEqual({ ...before, last_event_at: new Date(T0 + 5_000) });

    // A client whose first event is a subscription: a row, no connection yet.
    await post([envelope(subscribed("keep-2", T0, ["x"]))]);
    expect(await clientRow("keep-2")).toEqual({
      session_identifier: null,
      version_number: null,
      connected_at: null,
      last_connected_at: null,
      last_event_at: new Date(T0),
    });
    // Its connect, in a later batch with another client's subscription, makes it current.
    await post([
      envelope(connected("keep-2", T0 + 1_000, 1)),
      envelope(subscribed("keep-1", T0 + 9_000, ["e"])),
    ]);
    expect(await clientRow("keep-2")).toMatchObject({
      version_number: "1",
      last_event_at: new Date(T0 + 1_000),
    });
    expect(await clientRow("keep-1")).toEqual({ ...before, last_event_at: new Date(T0 + 9_000) });
  });
});

describe("POST /api/ingest: the current connection across batches", () => {
  const current = async (id: string) =>
    (
      await db().pool.query(
        "SELECT version_number, disconnected_at FROM client_state WHERE client_id = $1",
        [id],
      )
    ).rows[0];

  it("makes a newer connection current even when only its disconnect arrived", async () => {
    await post([
      envelope(connected("one-1", T0, 1)),
      envelope(disconnected("one-1", T0 + 1_000, 1)),
    ]);
    expect(await current("one-1")).toMatchObject({ version_number: "1" });
    // Its connect never arrives: the connection's time is its disconnect's.
    await post([
      envelope(disconnected("one-1", T0 + 60_000, 2, { sessionIdentifier: "later-session" })),
    ]);
    expect(await current("one-1")).toEqual({
      version_number: "2",
      disconnected_at: new Date(T0 + 60_000),
    });
  });

  it("keeps the current connection when an older one gets its disconnect, and takes the disconnect of the current one", async () => {
    await post([envelope(connected("one-2", T0, 1))]);
    await post([envelope(connected("one-2", T0 + 60_000, 2, { sessionIdentifier: "s2" }))]);
    expect(await current("one-2")).toEqual({ version_number: "2", disconnected_at: null });
    await post([envelope(disconnected("one-2", T0 + 30_000, 1))]);
    expect(await current("one-2")).toEqual({ version_number: "2", disconnected_at: null });
    await post([envelope(disconnected("one-2", T0 + 90_000, 2, { sessionIdentifier: "s2" }))]);
    expect(await current("one-2")).toEqual({
      version_number: "2",
      disconnected_at: new Date(T0 + 90_000),
    });
  });

  it("takes the connection after a version reset an hour later, despite its lower version", async () => {
    await post([envelope(connected("one-3", T0, 7))]);
    // An hour later the version restarts at 0: time decides across a reset.
    await post([
      envelope(connected("one-3", T0 + 3_600_000, 0, { sessionIdentifier: "after-reset" })),
    ]);
    expect(await current("one-3")).toMatchObject({ version_number: "0" });
  });
});

describe("POST /api/ingest: concurrency", () => {
  it("parallel batches on the same clients neither deadlock nor lose an update", async () => {
    const clients = Array.from({ length: 20 }, (_, i) => `par-${i}`);
    // Each batch holds one connection per client; the last version must win everywhere.
    const batches = Array.from({ length: 12 }, (_, v) =>
      clients
        .flatMap((id) => [
          envelope(connected(id, T0 + v * 60_000, v)),
          envelope(disconnected(id, T0 + v * 60_000 + 30_000, v)),
        ])
        .reverse(),
    );
    const results = await Promise.all(batches.map((b) => post(b)));
    for (const r of results)
      expect(r).toMatchObject({ status: 200, body: { accepted: 40, duplicates: 0 } });
    const state = await db().pool.query<{ client_id: string; version_number: string }>(
      "SELECT client_id, version_number FROM client_state ORDER BY client_id",
    );
    expect(state.rows).toHaveLength(20);
    for (const row of state.rows) expect(row.version_number).toBe("11");
    expect(await countRows("connection")).toBe(240);
  });
});

describe("POST /api/ingest: the database short of resources", () => {
  it("answers 503 with Retry-After when PostgreSQL's lock table is full, stores nothing, and takes the batch on retry", async () => {
    // Another session fills the shared lock table with session advisory locks
    // (kept on error, unlike transaction ones) until PostgreSQL refuses more,
    // as concurrent batches of thousands of clients each would.
    const holder = await db().pool.connect();
    try {
      for (let from = 1_000_000_000; ; from += 500) {
        const filled = await holder
          .query(
            "SELECT count(pg_advisory_lock(k)) FROM generate_series($1::bigint, $1::bigint + 499) AS k",
            [from],
          )
          .then(
            () => false,
            (error: { code?: string }) => {
              expect(error.code).toBe("53200");
              return true;
            },
          );
        if (filled) break;
      }
      const batch = Array.from({ length: 50 }, (_, i) => envelope(connected(`busy-${i}`, T0, 1)));
      const refused = await POST(ingestRequest(batch));
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(await refused.json()).toEqual({
        error: {
          code: "database_unavailable",
          message: expect.stringMatching(
            /^The database is short of resources for this batch \(out of shared memory\); nothing was stored\. Retry later\.$/,
          ),
        },
      });
      // Counting reads every monthly partition of the event table, which takes
      // locks of its own: only once the lock table has room again.
      await holder.query("SELECT pg_advisory_unlock_all()");
      expect(await countRows("lifecycle_event")).toBe(0);
      expect(await post(batch)).toMatchObject({
        status: 200,
        body: { accepted: 50, duplicates: 0 },
      });
    } finally {
      await holder.query("SELECT pg_advisory_unlock_all()").catch(() => undefined);
      holder.release();
    }
  });
});
