// The app's Prometheus series (GET /metrics). Counters count what this
// process did since it started, as Prometheus expects of each instance; the
// fleet gauges are read from the database at scrape time, so every instance
// reports the same fleet and the counts equal GET /api/stats/summary's.
import { Counter, Gauge, Registry } from "prom-client";
import { countClients } from "../clients/list";
import { db } from "../db/client";
import { changeHub } from "../stream/hub";

export interface AppMetrics {
  registry: Registry;
  ingestEvents: Counter<"result">;
}

function createMetrics(): AppMetrics {
  const registry = new Registry();
  const ingestEvents = new Counter({
    name: "fleet_ingest_events_total",
    help: "Lifecycle events received by this instance's ingest, by outcome.",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  for (const result of ["accepted", "duplicate", "rejected"]) ingestEvents.inc({ result }, 0);

  // One count per scrape serves both fleet gauges.
  let pending: Promise<Awaited<ReturnType<typeof countClients>>> | null = null;
  const counts = () => {
    pending ??= countClients(undefined).finally(() => {
      setTimeout(() => (pending = null), 0);
    });
    return pending;
  };
  new Gauge({
    name: "fleet_clients",
    help: "Fleet clients by status (never_seen: labelled in the inventory, no event yet).",
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      const c = await counts();
      this.set({ status: "online" }, c.online);
      this.set({ status: "pending" }, c.pending);
      this.set({ status: "offline" }, c.offline);
      this.set({ status: "never_seen" }, (c as { neverSeen?: number }).neverSeen ?? 0);
    },
  });
  new Gauge({
    name: "fleet_clients_flapping",
    help: "Fleet clients flagged as flapping.",
    registers: [registry],
    async collect() {
      this.set((await counts()).flapping);
    },
  });
  // Both from partial indexes (alert_firing_key, alert_delivery_pending_idx): cheap at any history size.
  new Gauge({
    name: "fleet_alerts_firing",
    help: "Alerts firing now.",
    registers: [registry],
    async collect() {
      const { rows } = await db().pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM alert WHERE state = 'firing'",
      );
      this.set(rows[0]!.n);
    },
  });
  new Gauge({
    name: "fleet_alert_outbox_pending",
    help: "Alert notifications waiting in the outbox to be sent (or retried).",
    registers: [registry],
    async collect() {
      const { rows } = await db().pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM alert_delivery WHERE state = 'pending'",
      );
      this.set(rows[0]!.n);
    },
  });
  new Gauge({
    name: "fleet_stream_subscribers",
    help: "Open live streams (GET /api/stream) on this instance.",
    registers: [registry],
    collect() {
      this.set(changeHub().subscriberCount);
    },
  });
  return { registry, ingestEvents };
}

const holder = globalThis as unknown as { fleetMetrics?: AppMetrics };

/** The process-wide metrics (kept across Next.js hot reloads). */
export function appMetrics(): AppMetrics {
  holder.fleetMetrics ??= createMetrics();
  return holder.fleetMetrics;
}

/** Counts one ingest request's outcome. */
export function countIngest(result: { accepted: number; duplicates: number; rejected: number }) {
  const { ingestEvents } = appMetrics();
  ingestEvents.inc({ result: "accepted" }, result.accepted);
  ingestEvents.inc({ result: "duplicate" }, result.duplicates);
  ingestEvents.inc({ result: "rejected" }, result.rejected);
}
