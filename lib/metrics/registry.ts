// The app's Prometheus series (GET /metrics). Counters count what this
// process did since it started, as Prometheus expects of each instance; the
// fleet gauges are read from the database at scrape time, so every instance
// reports the same fleet and the counts equal GET /api/stats/summary's.
import { Counter, Gauge, Registry } from "prom-client";
import { alertGaugeValues } from "../alerts/list";
import { liveFleetCounts } from "../clients/list";
import { countOpenIncidents } from "../incidents/read";
import { changeHub } from "../stream/hub";
import { metricsLabelKeys } from "../config";
import { labelSplit, promLabelName } from "./label-split";

export interface AppMetrics {
  registry: Registry;
  ingestEvents: Counter<"result">;
  /**
   * A METRICS_LABEL_KEYS the server should not have started with (checked
   * at startup: lib/config.ts, checkConfig). Kept, not thrown, so ingest
   * still counts; a scrape answers it as a JSON error naming the variable.
   */
  configError: string | null;
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
  let pending: Promise<Awaited<ReturnType<typeof liveFleetCounts>>> | null = null;
  const counts = () => {
    pending ??= liveFleetCounts().finally(() => {
      setTimeout(() => (pending = null), 0);
    });
    return pending;
  };
  // METRICS_LABEL_KEYS adds one split of the same gauge per key, e.g.
  // fleet_clients{status="online",label_site="berlin"}; the whole fleet is the
  // series without label_ labels.
  let labelKeys: string[] = [];
  let configError: string | null = null;
  try {
    labelKeys = metricsLabelKeys();
  } catch (error) {
    configError = (error as Error).message;
  }
  new Gauge({
    name: "fleet_clients",
    help: "Fleet clients by status (never_seen: labelled in the inventory, no event yet); split by label_<key> for each key in METRICS_LABEL_KEYS.",
    labelNames: ["status", ...labelKeys.map(promLabelName)],
    registers: [registry],
    async collect() {
      const [c, split] = await Promise.all([counts(), labelSplit(labelKeys)]);
      // Values that vanished since the last scrape must not linger as stale series.
      this.reset();
      this.set({ status: "online" }, c.online);
      this.set({ status: "pending" }, c.pending);
      this.set({ status: "offline" }, c.offline);
      this.set({ status: "never_seen" }, c.neverSeen);
      for (const key of labelKeys) {
        const values = new Set(split.filter((r) => r.key === key).map((r) => r.value));
        for (const value of values)
          for (const status of ["online", "pending", "offline", "never_seen"] as const)
            this.set({ status, [promLabelName(key)]: value }, 0);
      }
      for (const row of split)
        this.set({ status: row.status, [promLabelName(row.key)]: row.value }, row.count);
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
  let alertValues: ReturnType<typeof alertGaugeValues> | null = null;
  const alerts = () => {
    alertValues ??= alertGaugeValues().finally(() => {
      setTimeout(() => (alertValues = null), 0);
    });
    return alertValues;
  };
  new Gauge({
    name: "fleet_alerts_firing",
    help: "Alerts firing now (silenced ones not counted), as the header bell shows.",
    registers: [registry],
    async collect() {
      this.set((await alerts()).firing);
    },
  });
  new Gauge({
    name: "fleet_alert_outbox_pending",
    help: "Alert notifications waiting in the outbox (not yet sent, or retrying).",
    registers: [registry],
    async collect() {
      this.set((await alerts()).outboxPending);
    },
  });
  new Gauge({
    name: "fleet_incidents_open",
    help: "Fleet-wide incidents still open (not ended, merged or retracted).",
    registers: [registry],
    async collect() {
      this.set(await countOpenIncidents());
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
  return { registry, ingestEvents, configError };
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
