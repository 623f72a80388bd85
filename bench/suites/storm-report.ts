// The storm suite's figures and notes from one run's raw measurements.
import type { SuiteResult } from "../lib/context";
import { measured, type Figure } from "../lib/report";
import { latencySummary, percentile, round } from "../lib/stats";
import { slope, type Probe, type Sample, type SseWatch } from "../lib/storm-watch";
import type { StormOptions } from "./storm";

export interface StormRun {
  options: StormOptions;
  /** The planned storm's length, seconds. */
  planned: number;
  total: number;
  publisher:
    | {
        startedAt: number;
        acked: number;
        disconnectsDoneMs: number;
        allDoneMs: number;
        maxBehind: number;
      }
    | undefined;
  t0: number;
  /** From the first publish until the bridge's spool was empty and ingest had acknowledged every event. */
  drainSeconds: number;
  samples: Sample[];
  quiet: Probe[];
  storm: Probe[];
  sse: SseWatch;
  idleRss: Record<string, number>;
  check: { devices: number; onlineRightVersion: number; stored: number; apiOnline: number };
}

const SECTION = "9. reconnect storm";
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function p95(probe: Probe | undefined): number {
  return percentile(probe?.samples.filter((s) => s.status === 200).map((s) => s.ms) ?? [], 95);
}

export function stormFigures(r: StormRun): SuiteResult {
  const o = r.options;
  const pub = r.publisher;
  const achieved = pub === undefined ? Number.NaN : pub.allDoneMs / 1000;
  // Twice the storm's length: the planned one, or the one the publisher managed if longer.
  const stormLength = Math.max(r.planned, Number.isNaN(achieved) ? 0 : achieved);
  const drainLimit = 2 * stormLength;
  const peak = r.samples.reduce(
    (m, s) =>
      s.published - s.forwarded > m.backlog ? { backlog: s.published - s.forwarded, t: s.t } : m,
    { backlog: 0, t: 0 },
  );
  const peakSpool = Math.max(0, ...r.samples.map((s) => s.spoolEvents));
  const peakQueue = Math.max(0, ...r.samples.map((s) => s.published - s.received));
  const peakLag = Math.max(0, ...r.samples.map((s) => s.lagSeconds));
  const shape =
    pub === undefined
      ? "the publisher did not finish"
      : `disconnects published over ${(pub.disconnectsDoneMs / 1000).toFixed(1)} s (planned ${o.disconnectSeconds}), all ${fmt(pub.acked)} events over ${achieved.toFixed(1)} s (planned ${r.planned}); at worst ${fmt(pub.maxBehind)} events behind schedule`;
  const figures: Figure[] = [];
  figures.push({
    section: SECTION,
    ...measured(
      `bridge backlog drained, seconds after the storm began (${fmt(o.devices)} devices, ${fmt(r.total)} events)`,
      "s",
      [],
      r.drainSeconds,
    ),
    limit: measured("2 × the storm's length", "s", [], drainLimit),
    ratioToLimit: r.drainSeconds / drainLimit,
    detail: `${shape}; backlog (published − stored) peaked at ${fmt(peak.backlog)} events at t=${Math.round(peak.t)} s: up to ${fmt(peakSpool)} in the bridge's spool, ${fmt(peakQueue)} not yet read from the broker; oldest unacknowledged event ${round(peakLag)} s old at worst`,
    target: { text: "drained within 2× the storm's length", met: r.drainSeconds <= drainLimit },
  });
  const sse = latencySummary(r.sse.samples.map((s) => s.ms));
  const resyncs =
    Object.entries(r.sse.resyncs)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ") || "none";
  figures.push({
    section: SECTION,
    ...measured("publish → SSE `event: client`, p99 during the storm", "ms", [], sse.p99),
    detail: `p50 ${fmt(sse.p50)} ms, p95 ${fmt(sse.p95)} ms, max ${fmt(sse.max)} ms over ${fmt(sse.n)} \`client\` messages for ${fmt(r.total)} events (a message carries a device's latest event); resyncs instead: ${resyncs}; ${r.sse.summaries} summaries; the server ended the stream ${r.sse.reopened} time(s)`,
    target: { text: "p99 < 2 s", met: sse.p99 < 2_000 && sse.n > 0 },
  });
  for (const name of ["fleet list", "counts"]) {
    const during = r.storm.find((p) => p.name === name);
    const quiet = r.quiet.find((p) => p.name === name);
    const value = p95(during);
    const base = p95(quiet);
    const failed = during?.samples.filter((s) => s.status !== 200).length ?? 0;
    figures.push({
      section: SECTION,
      ...measured(`${name} (GET ${during?.path}), p95 during the storm and drain`, "ms", [], value),
      baseline: measured("the same probe on the quiet fleet just before", "ms", [], base),
      ratioToBaseline: value / base,
      detail: `${during?.samples.length ?? 0} requests, ${failed} not 200, max ${fmt(Math.max(0, ...(during?.samples.map((s) => s.ms) ?? [])))} ms`,
      target: { text: "p95 < 500 ms", met: value < 500 && failed === 0 },
    });
  }
  for (const name of ["app", "bridge", "broker"]) {
    const points = r.samples
      .filter((s) => Number.isFinite(s.rss[name]))
      .map((s) => ({ x: s.t / 60, y: s.rss[name]! }));
    if (points.length === 0) continue;
    const max = Math.max(...points.map((p) => p.y));
    // The second half: does it keep growing once the load is steady or falling?
    const late = slope(points.slice(Math.floor(points.length / 2)));
    figures.push({
      section: SECTION,
      ...measured(`${name} RSS, peak during the storm`, "MiB", [], max),
      baseline: measured("idle, before the storm", "MiB", [], r.idleRss[name] ?? Number.NaN),
      ratioToBaseline: max / (r.idleRss[name] ?? Number.NaN),
      detail: `slope ${round(slope(points))} MiB/min over the whole run, ${round(late)} MiB/min over its second half; ${round(points.at(-1)!.y)} MiB at the end`,
    });
  }
  const c = r.check;
  figures.push({
    section: SECTION,
    ...measured("storm events stored in PostgreSQL", "events", [], c.stored),
    baseline: measured(
      "published and acknowledged by the broker",
      "events",
      [],
      pub?.acked ?? Number.NaN,
    ),
    detail: `${fmt(c.onlineRightVersion)} of ${fmt(o.devices)} devices online in their next connection (version + 1, its session); GET /api/stats/summary says ${fmt(c.apiOnline)} online${Number.isNaN(r.drainSeconds) ? `; the run stopped before the drain with ${fmt(r.samples.at(-1)?.spoolEvents ?? Number.NaN)} events still in the bridge's spool (kept, not lost, but not checked)` : ""}`,
    target: {
      text: "none lost, every device online with the right version",
      met:
        pub !== undefined &&
        c.stored === pub.acked &&
        c.stored === r.total &&
        c.onlineRightVersion === o.devices,
    },
  });
  const timeline = r.samples
    .filter((s, i) => i % Math.max(1, Math.round(r.samples.length / 40)) === 0)
    .map(
      (s) =>
        `t=${String(Math.round(s.t)).padStart(5)} s  published ${fmt(s.published).padStart(9)}  stored ${fmt(s.forwarded).padStart(9)}  spool ${fmt(s.spoolEvents).padStart(8)}  broker queue ${fmt(s.published - s.received).padStart(8)}  lag ${round(s.lagSeconds)} s  RSS app ${fmt(s.rss.app ?? Number.NaN)} bridge ${fmt(s.rss.bridge ?? Number.NaN)} broker ${fmt(s.rss.broker ?? Number.NaN)} MiB`,
    );
  return {
    figures,
    details: {
      options: o,
      publisher: pub,
      drainSeconds: r.drainSeconds,
      drainLimitSeconds: drainLimit,
      check: c,
      sse: { ...sse, resyncs: r.sse.resyncs, summaries: r.sse.summaries, reopened: r.sse.reopened },
      samples: r.samples,
    },
    notes: [
      `storm: ${shape}.`,
      `storm backlog and memory over time (every ${Math.max(1, Math.round(r.samples.length / 40))} s)\n${timeline.join("\n")}`,
    ],
  };
}
