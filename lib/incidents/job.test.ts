// The database path agrees with the pure reference: whatever the order,
// duplication and batching of ingest, with detection rerun between batches,
// the stored live incidents are those the reference finds on the in-order
// history; IDs survive reruns and late events.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../test/support/db";
import { connected, disconnected, envelope, eventEnvelope } from "../../test/support/events";
import { massDisconnectArbitrary } from "../../test/support/incident-arbitraries";
import {
  deliveryArbitrary,
  latestTimestamp,
  receivedInOrder,
} from "../../test/support/presence-arbitraries";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { ingest } from "../ingest/index";
import { foldEvents } from "../presence/fold";
import { DEFAULT_INCIDENT_CONFIG, type IncidentConfig } from "./config";
import { runIncidentDetection } from "./job";
import { BATCH_ROWS } from "./load";
import { canonical, loadStored } from "./persist";
import { detectIncidents, inputsFromConnections } from "./reference";
import { runs } from "@/test/support/runs";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

async function storedIncidents() {
  const client = await db().pool.connect();
  try {
    const stored = await loadStored(client, 0);
    return stored.sort((a, b) => a.incident.startedAt - b.incident.startedAt);
  } finally {
    client.release();
  }
}

const detect = (config: IncidentConfig, now: number, batchRows?: number) =>
  runIncidentDetection(db().pool, {
    config,
    now,
    lookbackMs: Infinity,
    ...(batchRows === undefined ? {} : { batchRows }),
  });

beforeEach(resetDatabase);

describe("stored incidents = the pure reference on the in-order history", () => {
  it("after ingest in any order, duplicated, in batches, with detection between batches", async () => {
    const presence = presenceConfig();
    let found = 0;
    await fc.assert(
      fc.asyncProperty(
        fc
          .tuple(massDisconnectArbitrary({ maxClients: 14 }), fc.boolean())
          // Or one of the fleet is the bridge's own client: no device, left out.
          .map(([events, bridge]) =>
            bridge
              ? events.map((e) =>
                  e.clientId === "mass-0" ? { ...e, clientId: "fleet-presence-bridge-ci" } : e,
                )
              : events,
          )
          .chain((events) =>
            fc.record({
              events: fc.constant(events),
              delivery: deliveryArbitrary(events, { maxDuplicates: 6 }),
              sizes: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }),
              detectAfter: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
              config: fc.record({
                windowMs: fc.constantFrom(10 * SECOND, 60 * SECOND),
                minClients: fc.integer({ min: 1, max: 6 }),
                minShare: fc.constantFrom(0, 0.05, 0.3, 0.6),
                maxOpenMs: fc.constantFrom(2 * MINUTE, 60 * MINUTE),
              }),
              nowOffset: fc.integer({ min: -20 * MINUTE, max: 2 * 60 * MINUTE }),
              // Batches of a row or a few split every load and write of the job.
              batchRows: fc.constantFrom(1, 3, BATCH_ROWS),
            }),
          ),
        async ({ events, delivery, sizes, detectAfter, config, nowOffset, batchRows }) => {
          await resetDatabase();
          const now = latestTimestamp(events) + nowOffset;
          for (let i = 0, k = 0; i < delivery.length; k += 1) {
            const size = sizes[k % sizes.length] as number;
            const batch = delivery.slice(i, i + size).map(eventEnvelope);
            const result = await ingest(JSON.stringify(batch), new Date(now));
            expect(result.rejected).toEqual([]);
            if (detectAfter[k % detectAfter.length]) await detect(config, now, batchRows);
            i += size;
          }
          await detect(config, now, batchRows);
          const histories = foldEvents(receivedInOrder(events, now));
          const expected = detectIncidents(
            inputsFromConnections(
              [...histories.values()].map((h) => [...h.connections.values()]),
              presence.versionResetWindowMs,
            ),
            config,
            now,
          );
          const stored = await storedIncidents();
          expect(stored.map((s) => canonical(s.incident))).toEqual(expected.map(canonical));
          if (expected.length > 0) found += 1;
        },
      ),
      { numRuns: runs(60) },
    );
    // The generator must exercise the job: a good share of the runs find incidents.
    expect(found).toBeGreaterThan(runs(60) / 4);
  }, 240_000);
});

// 50 devices online from T0; `ids` drop at `at` (100 ms apart), back 20 s later.
const T0 = Date.parse("2026-11-30T10:00:00.000Z");
const dev = (i: number) => `dev-${String(i).padStart(2, "0")}`;

async function send(payloads: ReturnType<typeof connected>[]) {
  const r = await ingest(JSON.stringify(payloads.map(envelope)), new Date(T0 + 3 * 3_600_000));
  expect(r.rejected).toEqual([]);
}
const drops = (ids: number[], at: number, version = 1) =>
  ids.flatMap((i) => [
    disconnected(dev(i), at + i * 100, version),
    connected(dev(i), at + i * 100 + 20 * SECOND, version + 1),
  ]);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("incident IDs", () => {
  const config = DEFAULT_INCIDENT_CONFIG;
  const now = T0 + 3 * 3_600_000;

  it("a rerun changes nothing; a late event that grows an incident keeps its ID", async () => {
    await send(range(0, 50).map((i) => connected(dev(i), T0, 1)));
    await send(drops(range(0, 25), T0 + 30 * MINUTE));
    const first = await detect(config, now);
    expect(first.changed).toHaveLength(1);
    const [before] = await storedIncidents();
    expect(before?.incident.clients).toHaveLength(25);
    expect((await detect(config, now)).changed).toEqual([]);

    // Three more devices' disconnects of the same burst arrive late.
    await send(drops(range(25, 28), T0 + 30 * MINUTE));
    const late = await detect(config, now);
    const [after, ...rest] = await storedIncidents();
    expect(rest).toEqual([]);
    expect(late.changed).toEqual([before?.id]);
    expect(after?.id).toBe(before?.id);
    expect(after?.incident.clients).toHaveLength(28);
  });

  it("two incidents joined by late disconnects become one: the older ID survives, the other points to it", async () => {
    await send(range(0, 50).map((i) => connected(dev(i), T0, 1)));
    // Two bursts of 20, 90 s apart (more than one window): two incidents.
    await send(drops(range(0, 20), T0 + 30 * MINUTE));
    await send(drops(range(20, 40), T0 + 30 * MINUTE + 90 * SECOND));
    await detect(config, now);
    const two = await storedIncidents();
    expect(two).toHaveLength(2);
    // Late: 25 more disconnects between them keep the burst going across the gap.
    await send(
      range(40, 50).map((i) => disconnected(dev(i), T0 + 30 * MINUTE + 45 * SECOND + i * 100, 1)),
    );
    await detect(config, now);
    const one = await storedIncidents();
    expect(one).toHaveLength(1);
    expect(one[0]?.id).toBe(two[0]?.id);
    const merged = await db().pool.query(`SELECT merged_into FROM incident WHERE id = $1`, [
      two[1]?.id,
    ]);
    expect(merged.rows[0]?.merged_into).toBe(two[0]?.id);
  });
});

describe("fleet members only", () => {
  it("the bridge's own client is not one of an incident's clients, nor of the online fleet", async () => {
    const config = { ...DEFAULT_INCIDENT_CONFIG, minClients: 21, minShare: 0 };
    const bridge = "fleet-presence-bridge-host";
    await send([...range(0, 50).map((i) => connected(dev(i), T0, 1)), connected(bridge, T0, 1)]);
    // 20 devices and the bridge drop: 21 clients, but 20 devices, under the threshold.
    await send([
      ...drops(range(0, 20), T0 + 30 * MINUTE),
      disconnected(bridge, T0 + 30 * MINUTE, 1),
    ]);
    await detect(config, T0 + 3 * 3_600_000);
    expect(await storedIncidents()).toEqual([]);
    // One more device: 21 of them.
    await send(drops([20], T0 + 30 * MINUTE));
    await detect(config, T0 + 3 * 3_600_000);
    const [one] = await storedIncidents();
    expect(one?.incident.clients.map((c) => c.clientId)).not.toContain(bridge);
    expect(one?.incident.clients).toHaveLength(21);
  });

  it("nor of the clients online before a burst, the share's denominator", async () => {
    const config = { ...DEFAULT_INCIDENT_CONFIG, minClients: 20, minShare: 0.5 };
    const bridge = "fleet-presence-bridge-host";
    // 20 of 40 devices drop: half of the fleet (half of 41 clients would be 20.5).
    await send([...range(0, 40).map((i) => connected(dev(i), T0, 1)), connected(bridge, T0, 1)]);
    await send(drops(range(0, 20), T0 + 30 * MINUTE));
    await detect(config, T0 + 3 * 3_600_000);
    const [one] = await storedIncidents();
    expect(one?.incident.clients).toHaveLength(20);
  });
});

describe("retraction", () => {
  const now = T0 + 3 * 3_600_000;

  it("an incident that late events undo is retracted, its clients deleted", async () => {
    const config = { ...DEFAULT_INCIDENT_CONFIG, minShare: 0.4 };
    await send(range(0, 50).map((i) => connected(dev(i), T0, 1)));
    await send(drops(range(0, 25), T0 + 30 * MINUTE));
    await detect(config, now);
    const [only] = await storedIncidents();
    expect(only?.incident.clients).toHaveLength(25);
    // Twenty more clients were online all along: 25 of 70 is under 40 %.
    await send(range(50, 70).map((i) => connected(dev(i), T0, 1)));
    expect((await detect(config, now)).changed).toEqual([only?.id]);
    expect(await storedIncidents()).toEqual([]);
    const row = await db().pool.query(
      `SELECT retracted_at, merged_into, (SELECT count(*)::int FROM incident_client
         WHERE incident_id = $1) AS clients FROM incident WHERE id = $1`,
      [only?.id],
    );
    expect(row.rows[0]).toMatchObject({ merged_into: null, clients: 0 });
    expect(row.rows[0]?.retracted_at).not.toBeNull();
  });
});

describe("batched loads and writes", () => {
  const config = DEFAULT_INCIDENT_CONFIG;
  const now = T0 + 3 * 3_600_000;
  const canonicals = async () => (await storedIncidents()).map((s) => canonical(s.incident));
  /** The incidents a first run finds, with nothing stored before. */
  async function fromScratch(batchRows: number) {
    await db().pool.query(`TRUNCATE incident CASCADE; DELETE FROM incident_detector`);
    await detect(config, now, batchRows);
    return canonicals();
  }
  const back = (ids: number[]) =>
    ids.map((i) => connected(dev(i), T0 + 30 * MINUTE + i * 100 + 20 * SECOND, 2));

  it("batches of 7 rows store what one batch does, and reruns write the same rows", async () => {
    // 300 clients drop (each batch of the job holds 7 of them); half are back.
    await send(range(0, 300).map((i) => connected(dev(i), T0, 1)));
    await send(range(0, 300).map((i) => disconnected(dev(i), T0 + 30 * MINUTE + i * 100, 1)));
    await send(back(range(0, 150)));
    const whole = await fromScratch(BATCH_ROWS);
    expect(whole).toHaveLength(1);
    expect(await fromScratch(7)).toEqual(whole);
    const [first] = await storedIncidents();
    expect(first?.incident.reconnectedClients).toBe(150);
    expect((await detect(config, now, 7)).changed).toEqual([]);

    // The other half come back: the same incident, every row rewritten where it changed.
    await send(back(range(150, 300)));
    expect((await detect(config, now, 7)).changed).toEqual([first?.id]);
    const [after] = await storedIncidents();
    expect(after?.id).toBe(first?.id);
    expect(after?.incident.reconnectedClients).toBe(300);
    const rerun = await canonicals();
    expect(await fromScratch(BATCH_ROWS)).toEqual(rerun);
  });
});
