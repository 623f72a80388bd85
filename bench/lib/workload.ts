// The ingest workload: a realistic history in which every client connects,
// subscribes and disconnects in turn (versions rising), interleaved across
// clients the way a fleet's lifecycle stream is. Deterministic, so every run
// and every path (route, direct, COPY, naive) sees the same events.
import { connected, disconnected, envelope, subscribed } from "../../test/support/events";

export type Envelope = ReturnType<typeof envelope>;

export function clientName(prefix: string, n: number): string {
  return `${prefix}-${String(n).padStart(6, "0")}`;
}

/**
 * `count` events over `clients` clients: event i belongs to client i % clients,
 * and each client cycles connected → subscribed → disconnected, one
 * connection (version) per cycle. Times start a day ago and rise per step.
 */
export function* lifecycleHistory(
  count: number,
  clients: number,
  prefix = "bench-device",
  start = Date.now() - 24 * 3600_000,
): Generator<Envelope> {
  for (let i = 0; i < count; i += 1) {
    const client = i % clients;
    const step = Math.floor(i / clients);
    const version = Math.floor(step / 3);
    const t = start + step * 60_000 + (client % 60_000);
    const id = clientName(prefix, client);
    const phase = step % 3;
    const session = { sessionIdentifier: `session-${id}-${version}` };
    if (phase === 0) yield envelope(connected(id, t, version, session));
    else if (phase === 1)
      yield envelope(subscribed(id, t, [`fleet/${id}/cmd`, "fleet/broadcast"], session));
    else yield envelope(disconnected(id, t, version, session));
  }
}

/** Splits a list into consecutive batches. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
