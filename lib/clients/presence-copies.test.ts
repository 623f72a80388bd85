// The presence rules have three copies: the pure model (lib/presence, the
// reference), the SQL that production filters and counts with (statusSql in
// client-row.ts, countClients), and the browser's cache patching
// (components/live/patch-clients.ts). getClient computes each client's status
// with the model (convergence-db.test.ts holds it to summarize()); these
// properties hold the other two copies to it over random histories, delivered
// in any order with duplicates, read at random times and at the instants
// where a pending client turns offline.
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compareForList, matchesFilters, patchClientPages } from "@/components/live/patch-clients";
import type { ClientPages } from "@/components/hooks/use-clients-query";
import { presenceConfig } from "../config";
import { ingest } from "../ingest";
import { TOPIC_PREFIXES } from "../ingest/schemas";
import { SOURCES, type Source } from "../../contract/sources";
import { TIMESTAMP_TOLERANCE_MS, type LifecycleEvent } from "../presence/types";
import { clientsByIds } from "../stream/changed-clients";
import {
  deliveryArbitrary,
  historyArbitrary,
  latestTimestamp,
} from "../../test/support/presence-arbitraries";
import { resetDatabase } from "../../test/support/db";
import { getClient } from "./get";
import { neverSeenView } from "./never-seen";
import { countClients, listClients } from "./list";
import { replaceLabels } from "../labels/store";
import { SORTS, STATUSES, type ClientView, type ListClientsQuery } from "./schemas";
import { runs } from "@/test/support/runs";

/**
 * An event as ingest takes it. `source`: the broker it is marked as coming
 * from (contract/sources.ts reads it from the vendor's object in the payload).
 */
function toEnvelope(e: LifecycleEvent, source: Source = "aws") {
  const payload: Record<string, unknown> = Object.fromEntries(
    Object.entries(e).filter(([, v]) => v !== null),
  );
  if (source !== "aws") payload[source] = { mappedFrom: source };
  return { topic: TOPIC_PREFIXES[e.eventType] + e.clientId, payload };
}

/** A fleet: a random history ingested in a random delivery, and the times to read it at. */
const fleetArbitrary = () =>
  historyArbitrary({ maxClients: 6, maxConnectionsPerClient: 4 }).chain((events) => {
    const receivedAt = latestTimestamp(events) + 1_000;
    const grace = presenceConfig().offlineGraceMs;
    // Where pending ends: receipt + grace, or disconnect + grace + tolerance, ±1 ms.
    const edges = events
      .filter((e) => e.eventType === "disconnected")
      .flatMap((e) => [e.timestamp + grace + TIMESTAMP_TOLERANCE_MS, receivedAt + grace])
      .flatMap((t) => [t - 1, t, t + 1])
      .filter((t) => t >= receivedAt);
    const readAt = fc.oneof(
      fc.integer({ min: receivedAt, max: receivedAt + 20 * 60_000 }),
      ...(edges.length > 0 ? [fc.constantFrom(...edges)] : []),
    );
    return fc.record({
      events: fc.constant(events),
      delivery: deliveryArbitrary(events, { maxDuplicates: 4 }),
      receivedAt: fc.constant(receivedAt),
      readTimes: fc.array(readAt, { minLength: 1, maxLength: 3 }),
    });
  });

async function ingestFleet(
  delivery: LifecycleEvent[],
  receivedAt: number,
  sourceOf: (clientId: string) => Source = () => "aws",
): Promise<string[]> {
  await resetDatabase();
  const result = await ingest(
    JSON.stringify(delivery.map((e) => toEnvelope(e, sourceOf(e.clientId)))),
    new Date(receivedAt),
  );
  expect(result.rejected).toEqual([]);
  return [...new Set(delivery.map((e) => e.clientId))];
}

/**
 * Every client as getClient (the model) sees it at `now`, without the one
 * field only that route has (`infrastructure`: no random ID is one).
 */
async function modelViews(ids: readonly string[], now: Date): Promise<ClientView[]> {
  const views = await Promise.all(ids.map((id) => getClient(id, now)));
  return views.map(({ infrastructure, ...view }) => {
    expect(infrastructure).toBe(false);
    return view;
  });
}

/** The whole list for a query, every page followed. */
async function listAll(query: Omit<ListClientsQuery, "limit" | "cursor">, now: Date) {
  const items: ClientView[] = [];
  let cursor: string | undefined;
  do {
    const page = await listClients({ ...query, limit: 2, cursor }, now);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

const byId = (a: ClientView, b: ClientView) =>
  a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0;

beforeEach(resetDatabase);

// Histories of up to 4 connections per client: with the default threshold of 5
// no client would ever flap, and the flapping filter would be tested on nothing.
const flapThreshold = process.env.FLAP_THRESHOLD;
beforeAll(() => {
  process.env.FLAP_THRESHOLD = "2";
});
afterAll(() => {
  if (flapThreshold === undefined) delete process.env.FLAP_THRESHOLD;
  else process.env.FLAP_THRESHOLD = flapThreshold;
});

describe("the SQL copy of the status rule agrees with the model", () => {
  it("listClients({status}), countClients and the stream's client objects match getClient().status", async () => {
    await fc.assert(
      fc.asyncProperty(fleetArbitrary(), async ({ delivery, receivedAt, readTimes }) => {
        const ids = await ingestFleet(delivery, receivedAt);
        for (const t of readTimes) {
          const now = new Date(t);
          const views = await modelViews(ids, now);
          /** The list filtered in SQL holds exactly the model's clients that pass `keep`. */
          const expectListed = async (
            filter: Pick<ListClientsQuery, "status" | "flapping">,
            keep: (v: ClientView) => boolean,
          ) => {
            const listed = await listAll({ sort: "clientId", ...filter }, now);
            expect(listed.map((c) => c.clientId).sort()).toEqual(
              views
                .filter(keep)
                .map((v) => v.clientId)
                .sort(),
            );
          };
          for (const status of STATUSES) await expectListed({ status }, (v) => v.status === status);
          for (const flapping of [true, false])
            await expectListed({ flapping }, (v) => v.flapping === flapping);
          const counts = await countClients(undefined, now);
          expect(counts).toEqual({
            online: views.filter((v) => v.status === "online").length,
            pending: views.filter((v) => v.status === "pending").length,
            offline: views.filter((v) => v.status === "offline").length,
            total: views.length,
            flapping: views.filter((v) => v.flapping).length,
            // Every client here has events; labelled-but-unseen ones are tested in app/api/labels.
            neverSeen: 0,
          });
          const streamed = await clientsByIds(ids, now);
          expect(streamed.sort(byId)).toEqual([...views].sort(byId));
        }
      }),
      { numRuns: runs(40) },
    );
  }, 120_000);
});

/**
 * IDs that copy another client's history: equal lastEventAt across clients
 * (the tie-break on clientId decides), IDs differing only in case (q is case
 * sensitive), and characters whose UTF-16 order differs from PostgreSQL's
 * byte order under the C collation (U+E000 sorts before U+10000 in UTF-16's
 * code units only).
 */
const TWIN_IDS = ["twin-a", "TWIN-A", "twin-b", "\uE000-twin", "\u{10000}-twin", "twin-🚚"];

const listFleetArbitrary = fleetArbitrary().chain((fleet) =>
  fc.subarray(TWIN_IDS, { minLength: 1 }).map((twins) => {
    const first = fleet.events[0]?.clientId;
    const copies = fleet.delivery
      .filter((e) => e.clientId === first)
      .flatMap((e) => twins.map((clientId) => ({ ...e, clientId })));
    return { ...fleet, delivery: [...fleet.delivery, ...copies] };
  }),
);

describe("the browser copy (patch-clients.ts) agrees with listClients", () => {
  it("filters and orders every list as the API does (never-seen clients included), and patching in any order builds it", async () => {
    await fc.assert(
      fc.asyncProperty(
        listFleetArbitrary,
        fc.record({
          status: fc.option(fc.constantFrom(...STATUSES), { nil: undefined, freq: 2 }),
          flapping: fc.option(fc.boolean(), { nil: undefined, freq: 2 }),
          source: fc.option(fc.constantFrom(...SOURCES), { nil: undefined, freq: 2 }),
          // Which broker each client's events come from.
          sourceSeed: fc.nat(),
          sort: fc.constantFrom(...SORTS),
          order: fc.option(fc.constantFrom("asc" as const, "desc" as const), { nil: undefined }),
          qFrom: fc.option(
            fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 4 }), fc.boolean()),
            { nil: undefined, freq: 2 },
          ),
          // Labels on some clients, and a filter on one or two of the labels that occur.
          labels: fc.array(
            fc.tuple(fc.nat(), fc.constantFrom("site", "tier"), fc.constantFrom("a", "b")),
            { maxLength: 6 },
          ),
          inventory: fc.array(
            fc.constantFrom<Record<string, string>>({ site: "a" }, { site: "b", tier: "b" }),
            { maxLength: 3 },
          ),
          label: fc.option(
            fc.subarray(
              [
                { key: "site", value: "a" },
                { key: "tier", value: "b" },
              ],
              { minLength: 1 },
            ),
            { nil: undefined, freq: 2 },
          ),
        }),
        fc.nat(),
        async ({ delivery, receivedAt, readTimes }, filter, seed) => {
          const ids = await ingestFleet(
            delivery,
            receivedAt,
            (id) => SOURCES[((hash(id) ^ filter.sourceSeed) >>> 0) % SOURCES.length]!,
          );
          const byClient = new Map<string, Record<string, string>>();
          for (const [which, key, value] of filter.labels) {
            const id = ids[which % ids.length]!;
            byClient.set(id, { ...byClient.get(id), [key]: value });
          }
          // Inventory entries: labelled IDs that sent nothing, listed as never_seen.
          const inventory = filter.inventory.map(
            (labels, i) => [`inventory-${i}`, labels] as const,
          );
          for (const [id, labels] of inventory) byClient.set(id, labels);
          if (byClient.size > 0) await replaceLabels(byClient);
          // q: a piece of one client's ID (upper-cased at times), so that searches match some clients.
          let q: string | undefined;
          if (filter.qFrom !== undefined) {
            const [which, start, length, upper] = filter.qFrom;
            const chars = [...ids[which % ids.length]!];
            const from = start % chars.length;
            q = chars.slice(from, from + length).join("");
            if (upper) q = q.toUpperCase();
          }
          const params = {
            q,
            status: filter.status,
            flapping: filter.flapping,
            source: filter.source,
            sort: filter.sort,
            order: filter.order,
            label: filter.label,
          };
          const now = new Date(readTimes[0]!);
          const api = await listAll(params, now);
          const views = [
            ...(await modelViews(ids, now)),
            ...inventory.map(([id, labels]) => neverSeenView(id, labels)),
          ];
          const browser = views
            .filter((v) => matchesFilters(v, params))
            .sort((a, b) => compareForList(a, b, params));
          expect(browser.map((c) => c.clientId)).toEqual(api.map((c) => c.clientId));
          // The cache patched with every client, in an arbitrary order, one at a time.
          const shuffled = [...views].sort(
            (a, b) => ((hash(a.clientId) ^ seed) >>> 0) - ((hash(b.clientId) ^ seed) >>> 0),
          );
          let data: ClientPages = {
            pages: [{ items: [], nextCursor: null, counts: zeroCounts }],
            pageParams: [null],
          };
          for (const client of shuffled) data = patchClientPages(data, params, [client]);
          expect(data.pages.flatMap((p) => p.items)).toEqual(api);
        },
      ),
      { numRuns: runs(40) },
    );
  }, 120_000);
});

const zeroCounts = { online: 0, pending: 0, offline: 0, total: 0, flapping: 0, neverSeen: 0 };

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i += 1) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}
