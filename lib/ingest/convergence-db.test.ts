// The database path agrees with the pure model: any delivery of a history —
// permuted, duplicated, split into batches ingested in parallel — leaves
// PostgreSQL in the state the model derives from in-order delivery.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { connectionsSql, listConnections, toConnectionView } from "../clients/connections";
import { getClient } from "../clients/get";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { sql } from "../db/sql";
import { latestTimestamp, receivedInOrder } from "../../test/support/presence-arbitraries";
import { batchedDeliveryArbitrary, CLOCKS, inBatches } from "../../test/support/batches";
import { foldEvents, summarize } from "../presence/fold";
import { resetDatabase } from "../../test/support/db";
import { runs } from "@/test/support/runs";
import { eventEnvelope } from "../../test/support/events";
import { ingestConcurrently } from "../../test/support/ingest-batches";

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

beforeEach(resetDatabase);

describe("database ↔ model convergence", () => {
  it.each(CLOCKS)(
    "any batched, parallel, duplicated delivery gives the model's clients and timelines ($clock)",
    async ({ options }) => {
      const config = presenceConfig();
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(
            batchedDeliveryArbitrary({ maxClients: 3, maxConnectionsPerClient: 5, ...options }),
            fc.integer({ min: 0, max: 40 * 60_000 }),
          ),
          async ([[events, delivery, sizes], readOffset]) => {
            await resetDatabase();
            const receivedAt = latestTimestamp(events) + 1_000;
            const results = await ingestConcurrently(inBatches(delivery, sizes), receivedAt);
            for (const r of results) expect(r.rejected).toEqual([]);
            expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(
              new Set(events.map((e) => JSON.stringify(eventEnvelope(e)))).size,
            );

            const readAt = receivedAt + readOffset;
            const histories = foldEvents(receivedInOrder(events, receivedAt));
            for (const history of histories.values()) {
              const expected = summarize(history, readAt, config);
              const actual = await getClient(history.clientId, new Date(readAt));
              expect(actual).toMatchObject({
                clientId: expected.clientId,
                status: expected.status,
                flapping: expected.flapping,
                since: iso(expected.since),
                sessionIdentifier: expected.current?.sessionIdentifier ?? null,
                versionNumber: expected.current?.versionNumber ?? null,
                principalIdentifier: expected.current?.principalIdentifier ?? null,
                subscriptions: expected.subscriptions,
              });
              const connections = await listConnections(history.clientId, {});
              expect(connections).toEqual(expected.timeline.map(toConnectionView));
              // The same ends computed in SQL (ended_at: what the CSV export and the range test read).
              const endsSql = connectionsSql({}, sql`c.client_id = ${history.clientId}`);
              const ends = await db().pool.query<{ ended_at: Date | null }>(
                endsSql.text,
                endsSql.values,
              );
              expect(ends.rows.map((r) => r.ended_at?.getTime() ?? null)).toEqual(
                expected.timeline.map((t) => t.endedAt),
              );
            }
            const failures = await db().pool.query<{ client_id: string; n: number }>(
              "SELECT client_id, count(*)::int AS n FROM connect_failure GROUP BY client_id",
            );
            for (const row of failures.rows) {
              expect(row.n).toBe(histories.get(row.client_id)?.failedAttempts);
            }
          },
        ),
        { numRuns: runs(50) },
      );
    },
    120_000,
  );
});
