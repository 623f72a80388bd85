// The never-seen reads go through never_seen_client, a superset of the
// never-seen clients kept by triggers. For random sequences of label writes
// (PUT, clear, JSON and CSV imports), first and later events through ingest,
// stale candidates, deleted client_state rows and prunes, every never-seen read (the counts by
// maintained counters and by scan, the counts as of a moment, the list's
// never_seen rows in order across pages, the metrics' label split) equals
// the anti-join of client_label against client_state computed here.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { compareClientIds, type Order, type Sort } from "../../contract/client-list";
import type { LabelFilter, Labels } from "../../contract/labels";
import { db } from "../db/client";
import { ingest } from "../ingest";
import { TOPIC_PREFIXES } from "../ingest/schemas";
import { applyImport, parseCsvImport, parseJsonImport } from "../labels/import";
import { setLabels } from "../labels/store";
import { labelSplit } from "../metrics/label-split";
import { rebuildOnlineRollup } from "../stats/online-rollup";
import { resetDatabase } from "../../test/support/db";
import { isInfrastructureClient } from "./infrastructure";
import { countClients, listClients } from "./list";
import { countClientsAsOf } from "./list-as-of";
import { pruneNeverSeenCandidates } from "./never-seen-prune";
import type { ClientView } from "./schemas";

// LIKE's wildcards and an infrastructure client (the default glob) among them.
const IDS = ["d-0", "d-1", "d-2", "d_3", "e-4", "fleet-presence-bridge-x"] as const;
const id = fc.constantFrom(...IDS);
const labels = fc.dictionary(fc.constantFrom("site", "fw"), fc.constantFrom("a", "b"), {
  maxKeys: 2,
});

type Op =
  | { kind: "put"; clientId: string; labels: Labels }
  | { kind: "jsonImport"; clients: [string, Labels][] }
  | { kind: "csvImport"; clients: [string, Labels][] }
  | { kind: "event"; clientId: string }
  | { kind: "stale"; clientId: string }
  | { kind: "forget"; clientId: string }
  | { kind: "prune" };

const clientsLabels = fc.uniqueArray(fc.tuple(id, labels), {
  selector: ([c]) => c,
  minLength: 1,
  maxLength: 4,
});
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("put" as const), clientId: id, labels }),
  fc.record({ kind: fc.constant("jsonImport" as const), clients: clientsLabels }),
  fc.record({ kind: fc.constant("csvImport" as const), clients: clientsLabels }),
  fc.record({ kind: fc.constant("event" as const), clientId: id }),
  // A candidate that is none (a race's leftover): reads must skip it.
  fc.record({ kind: fc.constant("stale" as const), clientId: id }),
  // A client_state row deleted by hand (the application never does).
  fc.record({ kind: fc.constant("forget" as const), clientId: id }),
  fc.constant({ kind: "prune" as const }),
);

const filters = fc.record({
  q: fc.option(fc.constantFrom("d", "_", "-1", "e"), { nil: undefined }),
  label: fc.option(
    fc.array(fc.record({ key: fc.constantFrom("site", "fw"), value: fc.constantFrom("a", "b") }), {
      minLength: 1,
      maxLength: 2,
    }),
    { nil: undefined },
  ),
});
type Filters = { q?: string | undefined; label?: LabelFilter[] | undefined };

let clock = Date.UTC(2026, 5, 1);

async function apply(o: Op): Promise<void> {
  switch (o.kind) {
    case "put":
      await setLabels(o.clientId, o.labels);
      return;
    case "jsonImport": {
      const body = o.clients.map(([clientId, l]) => ({ clientId, labels: l }));
      await applyImport(parseJsonImport(JSON.stringify(body)));
      return;
    }
    case "csvImport": {
      // A CSV lists labels, so a client without any is not in it.
      const rows = o.clients.flatMap(([c, l]) =>
        Object.entries(l).map(([k, v]) => `${c},${k},${v}`),
      );
      await applyImport(parseCsvImport(["clientId,key,value", ...rows].join("\n")));
      return;
    }
    case "event": {
      clock += 1_000;
      const payload = {
        eventType: "connected",
        clientId: o.clientId,
        timestamp: clock,
        sessionIdentifier: `s-${clock}`,
        principalIdentifier: "p",
        versionNumber: 1,
      };
      const topic = TOPIC_PREFIXES.connected + o.clientId;
      const r = await ingest(JSON.stringify([{ topic, payload }]), new Date(clock));
      expect(r.rejected).toEqual([]);
      return;
    }
    case "stale":
      await db().pool.query(
        "INSERT INTO never_seen_client (client_id) VALUES ($1) ON CONFLICT DO NOTHING",
        [o.clientId],
      );
      return;
    case "forget":
      await db().pool.query("DELETE FROM client_state WHERE client_id = $1", [o.clientId]);
      return;
    case "prune": {
      const client = await db().pool.connect();
      try {
        await pruneNeverSeenCandidates(client);
      } finally {
        client.release();
      }
    }
  }
}

/** The reference: labelled fleet members with no client_state row, by anti-join, with their labels. */
async function antiJoin(): Promise<Map<string, Labels>> {
  const { rows } = await db().pool.query<{ client_id: string; key: string; value: string }>(
    `SELECT l.client_id, l.key, l.value FROM client_label l
      WHERE NOT EXISTS (SELECT 1 FROM client_state cs WHERE cs.client_id = l.client_id)`,
  );
  const out = new Map<string, Labels>();
  for (const r of rows) {
    if (isInfrastructureClient(r.client_id)) continue;
    out.set(r.client_id, { ...out.get(r.client_id), [r.key]: r.value });
  }
  return out;
}

function matching(reference: Map<string, Labels>, f: Filters, order: Order): string[] {
  const ids = [...reference]
    .filter(([c]) => f.q === undefined || c.includes(f.q))
    .filter(([, l]) => (f.label ?? []).every((x) => l[x.key] === x.value))
    .map(([c]) => c)
    .sort(compareClientIds);
  return order === "asc" ? ids : ids.reverse();
}

async function listedNeverSeen(
  f: Filters,
  query: { sort: Sort; order: Order; status: "never_seen" | undefined },
): Promise<ClientView[]> {
  const items: ClientView[] = [];
  let cursor: string | undefined;
  do {
    const page = await listClients({ ...f, ...query, limit: 2, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items.filter((c) => c.status === "never_seen");
}

beforeEach(async () => {
  await resetDatabase();
});

describe("never-seen reads from the maintained candidates ↔ the anti-join", () => {
  it("agree after any sequence of label writes, events, stale candidates and prunes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 10 }),
        filters,
        fc.constantFrom<Sort>("clientId", "lastChange"),
        fc.constantFrom<Order>("asc", "desc"),
        fc.constantFrom("never_seen" as const, undefined),
        async (ops, f, sort, order, status) => {
          await resetDatabase();
          await rebuildOnlineRollup();
          for (const o of ops) await apply(o);
          const reference = await antiJoin();
          const now = new Date(clock + 1_000);

          // The whole fleet (maintained counters), and with filters (the scan).
          expect((await countClients({}, now)).neverSeen).toBe(reference.size);
          expect((await countClients({}, now, "scan")).neverSeen).toBe(reference.size);
          const expected = matching(reference, f, order);
          expect((await countClients(f, now, "scan")).neverSeen).toBe(expected.length);
          // After every event: all never-seen at that moment are the labelled ones.
          expect((await countClientsAsOf(f, now)).neverSeen).toBe(expected.length);

          const listed = await listedNeverSeen(f, { sort, order, status });
          expect(listed.map((c) => [c.clientId, c.labels])).toEqual(
            expected.map((c) => [c, reference.get(c)]),
          );

          const split = (await labelSplit(["site"], now))
            .filter((r) => r.status === "never_seen")
            .map((r) => [r.value, r.count])
            .sort();
          const bySite = new Map<string, number>();
          for (const l of reference.values())
            if (l.site !== undefined) bySite.set(l.site, (bySite.get(l.site) ?? 0) + 1);
          expect(split).toEqual([...bySite].sort());
        },
      ),
      { numRuns: 60 },
    );
  }, 300_000);
});
