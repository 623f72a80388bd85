// Delivering a property test's batches to ingest, as concurrent senders would.
import { ingest } from "../../lib/ingest";
import type { LifecycleEvent } from "../../lib/presence/types";
import { eventEnvelope } from "./events";

/**
 * Ingests every batch at once, all received at `receivedAt`, and returns each
 * batch's result. It waits for every batch before failing with the first
 * error, so that none runs on into the next property run.
 */
export async function ingestConcurrently(
  batches: readonly (readonly LifecycleEvent[])[],
  receivedAt: number,
) {
  const settled = await Promise.allSettled(
    batches.map((b) => ingest(JSON.stringify(b.map(eventEnvelope)), new Date(receivedAt))),
  );
  return settled.map((s) => {
    if (s.status === "rejected") throw s.reason;
    return s.value;
  });
}
