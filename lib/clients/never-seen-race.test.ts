// never_seen_client under concurrent writes: statements of two real
// connections interleaved inside open transactions (READ COMMITTED), each
// not seeing the other's rows, as a label write and a device's first event
// (or a prune) meet in production. The table may keep a stale candidate; the
// reads must still equal the anti-join, and the prune must never drop a
// candidate a concurrent write still needs.
import pg from "pg";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { db } from "../db/client";
import { ingest } from "../ingest";
import { TOPIC_PREFIXES } from "../ingest/schemas";
import { replaceLabels } from "../labels/store";
import { rebuildOnlineRollup } from "../stats/online-rollup";
import { resetDatabase } from "../../test/support/db";
import { resetDatabaseWithRollup } from "../../test/support/rollup-db";
import { countClients, listClients } from "./list";
import { pruneNeverSeenCandidates } from "./never-seen-prune";

const NOW = Date.UTC(2026, 5, 1);
let open: pg.Client[] = [];

async function connection(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: inject("databaseUrl") });
  await client.connect();
  open.push(client);
  return client;
}

async function firstEvent(clientId: string): Promise<void> {
  const payload = {
    eventType: "connected",
    clientId,
    timestamp: NOW,
    sessionIdentifier: "s",
    principalIdentifier: "p",
    versionNumber: 1,
  };
  const topic = TOPIC_PREFIXES.connected + clientId;
  const r = await ingest(JSON.stringify([{ topic, payload }]), new Date(NOW));
  expect(r.accepted).toBe(1);
}

const label = (c: pg.Client, clientId: string, key = "site") =>
  c.query("INSERT INTO client_label (client_id, key, value) VALUES ($1, $2, 'x')", [clientId, key]);

async function candidates(): Promise<string[]> {
  const r = await db().pool.query<{ client_id: string }>(
    "SELECT client_id FROM never_seen_client ORDER BY 1",
  );
  return r.rows.map((x) => x.client_id);
}

/** Every never-seen read equals the anti-join, which must be `expected`. */
async function expectNeverSeen(expected: string[]): Promise<void> {
  const reference = await db().pool.query<{ client_id: string }>(
    `SELECT DISTINCT l.client_id FROM client_label l
      WHERE NOT EXISTS (SELECT 1 FROM client_state cs WHERE cs.client_id = l.client_id) ORDER BY 1`,
  );
  expect(reference.rows.map((r) => r.client_id)).toEqual(expected);
  const now = new Date(NOW + 1_000);
  expect((await countClients({}, now)).neverSeen).toBe(expected.length);
  expect((await countClients({}, now, "scan")).neverSeen).toBe(expected.length);
  const page = await listClients({ status: "never_seen", sort: "clientId", limit: 50 }, now);
  expect(page.items.map((c) => c.clientId)).toEqual(expected);
}

/** Resolves once backend `pid` waits for a lock (the interleaving the test means). */
async function blocked(pid: number): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    const r = await db().pool.query<{ waiting: boolean }>(
      "SELECT wait_event_type = 'Lock' AS waiting FROM pg_stat_activity WHERE pid = $1",
      [pid],
    );
    if (r.rows[0]?.waiting) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`backend ${pid} never waited for a lock`);
}

async function pid(c: pg.Client): Promise<number> {
  return (await c.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
}

/**
 * Starts a prune on a connection of its own, waits until it blocks on the
 * write `writer` has in flight, commits that write, and returns what the
 * prune then did.
 */
async function pruneBlockedUntilCommit(writer: pg.Client) {
  const p = await connection();
  const prunePid = await pid(p);
  const pruning = pruneNeverSeenCandidates(p);
  await blocked(prunePid);
  await writer.query("COMMIT");
  return pruning;
}

beforeEach(resetDatabaseWithRollup);

afterEach(async () => {
  await Promise.all(open.map((c) => c.end().catch(() => {})));
  open = [];
});

describe("never_seen_client under concurrent writes", () => {
  it("a label write open while the first event commits: a stale candidate, reads right", async () => {
    const a = await connection();
    await a.query("BEGIN");
    await label(a, "dev"); // its trigger sees no client_state row: a candidate
    await firstEvent("dev"); // its trigger cannot see the uncommitted candidate
    await a.query("COMMIT");
    expect(await candidates()).toEqual(["dev"]);
    await expectNeverSeen([]);
    const c = await db().pool.connect();
    try {
      expect(await pruneNeverSeenCandidates(c)).toEqual({ seen: 1, unlabelled: 0 });
    } finally {
      c.release();
    }
    expect(await candidates()).toEqual([]);
    await expectNeverSeen([]);
  });

  it("a first event open while a label write commits, either committing first", async () => {
    for (const stateFirst of [true, false]) {
      await resetDatabase();
      await rebuildOnlineRollup();
      const [a, b] = [await connection(), await connection()];
      await b.query("BEGIN");
      await b.query("INSERT INTO client_state (client_id, last_event_at) VALUES ('dev', now())");
      await a.query("BEGIN");
      await label(a, "dev");
      await (stateFirst ? b : a).query("COMMIT");
      await (stateFirst ? a : b).query("COMMIT");
      expect(await candidates()).toEqual(["dev"]);
      await expectNeverSeen([]);
    }
  });

  it("two label writes for one client racing a clear: the client stays never seen", async () => {
    await replaceLabels(new Map([["dev", { site: "a" }]]));
    const a = await connection();
    await a.query("BEGIN");
    await a.query("DELETE FROM client_label WHERE client_id = 'dev'");
    const b = await connection();
    await b.query("BEGIN");
    // Both wait for the clear: b for the client's row of client_label_set
    // (which the clear emptied), the replace for the clear's row locks.
    const labelled = label(b, "dev", "fw");
    const replaced = replaceLabels(new Map([["dev", { rack: "r1" }]]));
    await a.query("COMMIT");
    await labelled;
    // Then the replace waits for b's row of client_label_set.
    await b.query("COMMIT");
    await replaced;
    await expectNeverSeen(["dev"]);
    expect((await db().pool.query("SELECT labels FROM client_label_set")).rows).toEqual([
      { labels: { fw: "x", rack: "r1" } },
    ]);
    await a.query("DELETE FROM client_label");
    await expectNeverSeen([]);
  });

  it("the prune waits for a label write in flight and keeps its candidate", async () => {
    // A candidate whose labels were removed: the prune's to drop, until a
    // label write whose trigger found it present (and added nothing) commits.
    await replaceLabels(new Map([["dev", { site: "a" }]]));
    await replaceLabels(new Map([["dev", {}]]));
    expect(await candidates()).toEqual(["dev"]);
    const a = await connection();
    await a.query("BEGIN");
    await label(a, "dev");
    expect(await pruneBlockedUntilCommit(a)).toEqual({ seen: 0, unlabelled: 0 });
    expect(await candidates()).toEqual(["dev"]);
    await expectNeverSeen(["dev"]);
  });

  it("the prune gives way to a long label write, then drops unlabelled candidates", async () => {
    await replaceLabels(new Map([["gone", { site: "a" }]]));
    await replaceLabels(new Map([["gone", {}]]));
    const a = await connection();
    await a.query("BEGIN");
    await label(a, "dev");
    const p = await connection();
    expect(await pruneNeverSeenCandidates(p)).toEqual({ seen: 0, unlabelled: 0 });
    await a.query("COMMIT");
    expect(await candidates()).toEqual(["dev", "gone"]);
    expect(await pruneNeverSeenCandidates(p)).toEqual({ seen: 0, unlabelled: 1 });
    expect(await candidates()).toEqual(["dev"]);
    await expectNeverSeen(["dev"]);
  });

  it("the prune waits for a client_state delete in flight and keeps its candidate", async () => {
    // A seen client with a stale candidate (as the first test leaves one).
    const a = await connection();
    await a.query("BEGIN");
    await label(a, "dev");
    await firstEvent("dev");
    await a.query("COMMIT");
    expect(await candidates()).toEqual(["dev"]);
    // Its client_state row deleted by hand: the candidate is real again.
    await a.query("BEGIN");
    await a.query("DELETE FROM client_state WHERE client_id = 'dev'");
    expect(await pruneBlockedUntilCommit(a)).toEqual({ seen: 0, unlabelled: 0 });
    await expectNeverSeen(["dev"]);
  });
});
