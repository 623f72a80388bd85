// What the storm suite watches while the storm runs: a browser-like SSE
// reader that reopens the stream when the server ends it, HTTP probes of the
// fleet list and counts, and a once-a-second sampler of the bridge's backlog
// and the processes' memory.
import { sleep } from "./context";
import { rssMiB } from "./process-memory";
import { openSse, type AppFetch } from "./sse-client";

export interface SseWatch {
  /** publish → `event: client` (ms), with the arrival time (epoch ms). */
  samples: { at: number; ms: number }[];
  resyncs: Record<string, number>;
  summaries: number;
  /** Times the server ended the stream (the per-connection queue bound, or anything else) and it was reopened. */
  reopened: number;
  listening: Promise<void>;
  stop(): void;
}

/**
 * Reads /api/stream like a browser: every `client` message of a device whose
 * `lastEventAt` is at or after `since` is a delivery of the device's latest
 * event, timed against that event's timestamp (its publish time, same clock).
 */
export function watchStream(appFetch: AppFetch, prefix: string, since: () => number): SseWatch {
  let stopped = false;
  let close = () => {};
  let markListening: () => void = () => undefined;
  const watch: SseWatch = {
    samples: [],
    resyncs: {},
    summaries: 0,
    reopened: 0,
    listening: new Promise<void>((resolve) => (markListening = resolve)),
    stop() {
      stopped = true;
      close();
    },
  };
  const open = async (): Promise<void> => {
    let ended: () => void = () => undefined;
    const over = new Promise<void>((resolve) => (ended = resolve));
    const sse = await openSse(appFetch, (m, _at) => {
      const at = Date.now();
      if (m.event === "client") {
        const c = JSON.parse(m.data) as { clientId: string; lastEventAt: string | null };
        if (!c.clientId.startsWith(prefix) || c.lastEventAt === null) return;
        const t = Date.parse(c.lastEventAt);
        if (t >= since()) watch.samples.push({ at, ms: at - t });
      } else if (m.event === "resync") {
        const reason = (JSON.parse(m.data) as { reason?: string }).reason ?? "?";
        watch.resyncs[reason] = (watch.resyncs[reason] ?? 0) + 1;
      } else if (m.event === "summary") watch.summaries += 1;
      else if (m.event === "close") ended();
    });
    close = sse.close;
    void sse.listening.then(markListening);
    void sse.ended.then(ended);
    await over;
  };
  void (async () => {
    while (!stopped) {
      await open().catch(() => sleep(1_000));
      if (stopped) break;
      watch.reopened += 1;
      // An EventSource waits the `retry:` the server sent (2 s) before reopening.
      await sleep(2_000);
    }
  })();
  return watch;
}

export interface Probe {
  name: string;
  path: string;
  samples: { at: number; ms: number; status: number }[];
}

/** Requests each path in turn, one at a time, `pauseMs` apart, until stopped. */
export function probeLoop(
  appFetch: AppFetch,
  paths: { name: string; path: string }[],
  pauseMs: number,
): { probes: Probe[]; stop(): Promise<void> } {
  let stopped = false;
  const probes = paths.map((p) => ({ ...p, samples: [] as Probe["samples"] }));
  const loops = probes.map(async (probe) => {
    while (!stopped) {
      const t = performance.now();
      const status = await appFetch(probe.path).then(
        async (r) => {
          await r.arrayBuffer();
          return r.status;
        },
        () => 0,
      );
      probe.samples.push({ at: Date.now(), ms: performance.now() - t, status });
      await sleep(pauseMs);
    }
  });
  return {
    probes,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

export interface Sample {
  /** Seconds since the storm started. */
  t: number;
  published: number;
  received: number;
  forwarded: number;
  spoolEvents: number;
  spoolBytes: number;
  lagSeconds: number;
  rss: Record<string, number>;
}

const METRICS = [
  "bridge_events_received_total",
  "bridge_events_forwarded_total",
  "bridge_spool_events",
  "bridge_spool_bytes",
  "bridge_lag_seconds",
];

export async function bridgeMetrics(port: number): Promise<Record<string, number>> {
  const text = await (
    await fetch(`http://127.0.0.1:${port}/metrics?${METRICS.map((n) => `name=${n}`).join("&")}`)
  ).text();
  return Object.fromEntries(
    METRICS.map((n) => [n, Number(new RegExp(`^${n} (\\S+)`, "m").exec(text)?.[1] ?? Number.NaN)]),
  );
}

/** Samples the bridge's counters and the processes' RSS every second until stopped. */
export function sampleStorm(
  metricsPort: number,
  pids: Record<string, number>,
  published: () => number,
  startedAt: number,
): { samples: Sample[]; stop(): Promise<void> } {
  const samples: Sample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const next = Date.now() + 1_000;
      const m = await bridgeMetrics(metricsPort).catch(() => undefined);
      if (m !== undefined)
        samples.push({
          t: (Date.now() - startedAt) / 1000,
          published: published(),
          received: m.bridge_events_received_total!,
          forwarded: m.bridge_events_forwarded_total!,
          spoolEvents: m.bridge_spool_events!,
          spoolBytes: m.bridge_spool_bytes!,
          lagSeconds: m.bridge_lag_seconds!,
          rss: Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, rssMiB(pid)])),
        });
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}
