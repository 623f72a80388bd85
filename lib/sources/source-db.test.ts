// A client's `source` follows its current connection, whatever the arrival
// order: random histories whose connections come from different brokers,
// delivered in any order with duplicates in batches, leave each client with
// the source of the connection the model calls current.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { SOURCES, type Source } from "../../contract/sources";
import { getClient } from "../clients/get";
import { presenceConfig } from "../config";
import { ingest } from "../ingest";
import { TOPIC_PREFIXES } from "../ingest/schemas";
import { foldEvents, summarize } from "../presence/fold";
import type { LifecycleEvent } from "../presence/types";
import { resetDatabase } from "../../test/support/db";
import {
  deliveryArbitrary,
  historyArbitrary,
  latestTimestamp,
  receivedInOrder,
} from "../../test/support/presence-arbitraries";

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i += 1) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Each session of a client comes from one broker, picked by `seed`. */
const sourceOf = (seed: number, clientId: string, session: string | null): Source =>
  SOURCES[((hash(`${clientId}\u0000${session ?? ""}`) ^ seed) >>> 0) % SOURCES.length]!;

function toEnvelope(e: LifecycleEvent, source: Source) {
  const payload: Record<string, unknown> = Object.fromEntries(
    Object.entries(e).filter(([, v]) => v !== null),
  );
  if (source !== "aws") payload[source] = { from: source };
  return { topic: TOPIC_PREFIXES[e.eventType] + e.clientId, payload };
}

beforeEach(resetDatabase);

describe("client source", () => {
  it("is the current connection's, for any delivery", async () => {
    const config = presenceConfig();
    await fc.assert(
      fc.asyncProperty(
        historyArbitrary({ maxClients: 3, maxConnectionsPerClient: 5 }).chain((events) =>
          fc.tuple(
            fc.constant(events),
            deliveryArbitrary(events, { maxDuplicates: 5 }),
            fc.integer({ min: 1, max: 6 }),
            fc.nat(),
          ),
        ),
        async ([events, delivery, size, seed]) => {
          await resetDatabase();
          const receivedAt = latestTimestamp(events) + 1_000;
          for (let i = 0; i < delivery.length; i += size) {
            const batch = delivery
              .slice(i, i + size)
              .map((e) => toEnvelope(e, sourceOf(seed, e.clientId, e.sessionIdentifier)));
            const result = await ingest(JSON.stringify(batch), new Date(receivedAt));
            expect(result.rejected).toEqual([]);
          }
          const model = foldEvents(receivedInOrder(events, receivedAt));
          for (const [clientId, history] of model) {
            const current = summarize(history, receivedAt, config).current;
            if (current === undefined) continue;
            const view = await getClient(clientId, new Date(receivedAt));
            expect(view.source).toBe(sourceOf(seed, clientId, current.sessionIdentifier));
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
