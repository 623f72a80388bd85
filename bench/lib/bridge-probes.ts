// The bridge suite's probes: a broker of its own, the bare subscriber it is
// compared with, and what the bridge reports on its /metrics while it runs.
import type { MqttClient } from "mqtt";
import { spawnHelper, type Helper } from "./child";
import { withClient } from "./database";
import { meterCpu } from "./process-cpu";
import { connectPublisher, publishAll, type Message } from "./publisher";

export interface BrokerUrls {
  tcpUrl: string;
  wsUrl: string;
}

export async function startBroker(): Promise<{ helper: Helper; urls: BrokerUrls }> {
  const helper = spawnHelper("bench/processes/broker.ts");
  const urls = await helper.line<BrokerUrls>((l) => typeof l.wsUrl === "string", 30_000);
  return { helper, urls };
}

/** A bare subscriber's receive rate, and the CPU per event of the broker, the publisher and the subscriber meanwhile. */
export async function bareRun(
  urls: BrokerUrls,
  messages: readonly Message[],
  prefix: string,
  deadlineMs: number,
  persistent: boolean,
  brokerPid: number,
): Promise<{ rate: number; cpu: Record<string, number> }> {
  const bare = spawnHelper("bench/processes/bare-subscriber.ts", [
    urls.wsUrl,
    String(messages.length),
    String(deadlineMs),
    prefix,
    persistent ? "persistent" : "clean",
  ]);
  let publisher: MqttClient | undefined;
  try {
    await bare.line((l) => l.ready === true, 30_000);
    publisher = await connectPublisher(urls.tcpUrl);
    const cpu = meterCpu({ broker: brokerPid });
    const t0 = performance.timeOrigin + performance.now();
    await publishAll(publisher, messages);
    const done = await bare.line<{ received: number; lastAt: number; cpuMs: number }>(
      (l) => typeof l.received === "number",
      deadlineMs + 5_000,
    );
    const used = { ...cpu.stop(), subscriber: done.cpuMs / 1000 };
    if (done.received < messages.length)
      throw new Error(`bare subscriber got ${done.received} of ${messages.length} messages`);
    return {
      rate: done.received / ((done.lastAt - t0) / 1000),
      cpu: Object.fromEntries(
        Object.entries(used).map(([k, s]) => [k, (s * 1e6) / messages.length]),
      ),
    };
  } finally {
    await publisher?.endAsync();
    await bare.stop();
  }
}

/**
 * Events ingest acknowledged so far, and when it last acknowledged a batch
 * (epoch ms): the run's clock stops at that moment, read from the bridge,
 * not at the poll that noticed it, so the benchmark can poll rarely (each
 * poll costs the bridge and this process CPU the bare run does not pay).
 */
export async function forwardProgress(
  metricsPort: number,
): Promise<{ forwarded: number; lastAt: number }> {
  // Only these two: a full scrape gathers process metrics too.
  const text = await (
    await fetch(
      `http://127.0.0.1:${metricsPort}/metrics?name=bridge_events_forwarded_total&name=bridge_last_forward_timestamp_seconds`,
    )
  ).text();
  return {
    forwarded: Number(/^bridge_events_forwarded_total (\d+)/m.exec(text)?.[1] ?? 0),
    lastAt: Number(/^bridge_last_forward_timestamp_seconds (\S+)/m.exec(text)?.[1] ?? 0) * 1000,
  };
}

/** How often a bridge run checks for the end; the clock does not depend on it. */
export const PROGRESS_POLL_MS = 250;

/** CHECKPOINT, where the role may (superuser or pg_checkpoint); elsewhere the run goes on without. */
export async function checkpoint(url: string, log: (line: string) => void): Promise<void> {
  await withClient(url, (c) => c.query("CHECKPOINT")).catch((error: Error) =>
    log(`bridge: no CHECKPOINT before the run (${error.message})`),
  );
}

/** Ingest requests the bridge made that were answered 2xx, from its /metrics. */
export async function acceptedRequests(metricsPort: number): Promise<number> {
  const text = await (
    await fetch(`http://127.0.0.1:${metricsPort}/metrics?name=bridge_ingest_requests_total`)
  ).text();
  return Number(/^bridge_ingest_requests_total\{outcome="ok"\} (\d+)/m.exec(text)?.[1] ?? 0);
}
