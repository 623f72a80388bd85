// Prometheus metrics of one bridge, in its own registry so that several
// bridges (tests, benchmarks) can live in one process.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export interface BridgeGauges {
  spooledEvents(): number;
  spoolBytes(): number;
  lagSeconds(): number;
  mqttConnected(): boolean;
}

export function createBridgeMetrics(gauges: BridgeGauges) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "bridge_" });
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  const metrics = {
    registry,
    received: counter(
      "bridge_events_received_total",
      "Lifecycle events received from the broker and spooled",
    ),
    forwarded: counter("bridge_events_forwarded_total", "Events acknowledged by ingest (2xx)"),
    duplicates: counter("bridge_events_duplicate_total", "Forwarded events ingest already had"),
    rejected: counter(
      "bridge_events_rejected_total",
      "Forwarded events ingest quarantined as invalid",
    ),
    deadLettered: counter(
      "bridge_events_dead_lettered_total",
      "Events ingest refused even alone (kept in dead-letter.jsonl)",
    ),
    ignored: counter(
      "bridge_messages_ignored_total",
      "Messages on subscribed topics that are not lifecycle events",
    ),
    retried: counter("bridge_ingest_retries_total", "Ingest requests that will be retried", [
      "reason",
    ]),
    requests: counter("bridge_ingest_requests_total", "Ingest requests by outcome", ["outcome"]),
    reconnects: counter("bridge_mqtt_reconnects_total", "MQTT reconnection attempts"),
    lastForwardSeconds: new Gauge({
      name: "bridge_last_forward_timestamp_seconds",
      help: "Unix time of the last batch ingest acknowledged (with bridge_lag_seconds: a stalled pipeline, not an idle one)",
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: "bridge_ingest_request_duration_seconds",
      help: "Duration of POST /api/ingest",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
  gauge(
    "bridge_spool_events",
    "Events spooled and not yet acknowledged by ingest",
    gauges.spooledEvents,
  );
  gauge("bridge_spool_bytes", "Bytes of spool not yet acknowledged by ingest", gauges.spoolBytes);
  gauge(
    "bridge_lag_seconds",
    "Age of the oldest event not yet acknowledged by ingest",
    gauges.lagSeconds,
  );
  gauge("bridge_mqtt_connected", "1 while connected to the broker", () =>
    gauges.mqttConnected() ? 1 : 0,
  );
  return metrics;
}

export type BridgeMetrics = ReturnType<typeof createBridgeMetrics>;

/** GET /metrics (Prometheus text format) and GET /healthz. */
export async function serveMetrics(
  registry: Registry,
  options: { port: number; host: string; healthy: () => boolean },
): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://bridge");
    const names = url.searchParams.getAll("name");
    if (url.pathname === "/metrics" && names.length > 0) {
      // Only the named metrics (e.g. a benchmark polling one counter): no process metrics gathered.
      Promise.all(names.map((n) => registry.getSingleMetricAsString(n))).then(
        (texts) =>
          res.writeHead(200, { "content-type": registry.contentType }).end(texts.join("\n")),
        (error: Error) => res.writeHead(404).end(error.message),
      );
    } else if (url.pathname === "/metrics") {
      registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
        (error: Error) => res.writeHead(500).end(error.message),
      );
    } else if (url.pathname === "/healthz") {
      const ok = options.healthy();
      res
        .writeHead(ok ? 200 : 503, { "content-type": "application/json" })
        .end(JSON.stringify({ status: ok ? "ok" : "down" }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
