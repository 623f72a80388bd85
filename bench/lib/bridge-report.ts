// bench:bridge's figures (bench/bridge.ts): what one run measures and the
// table and ratios printed at the end.

export interface BridgeRun {
  rate: number;
  /** CPU per event (µs) while the bridge ran: the bridge process, the broker, the app, PostgreSQL (the whole server), the publisher (this process). */
  cpuUs: number;
  brokerCpuUs: number;
  appCpuUs: number;
  postgresCpuUs: number;
  publisherCpuUs: number;
}

export const NO_RUN: BridgeRun = {
  rate: Number.NaN,
  cpuUs: Number.NaN,
  brokerCpuUs: Number.NaN,
  appCpuUs: Number.NaN,
  postgresCpuUs: Number.NaN,
  publisherCpuUs: Number.NaN,
};

/** All the CPU the bridge path used per event; both paths are CPU-bound on a small machine, so this sets the ratio. */
export function pathCpuUs(r: BridgeRun): number {
  return r.cpuUs + r.brokerCpuUs + r.appCpuUs + r.postgresCpuUs + r.publisherCpuUs;
}

export interface RunResult {
  bareClean: number;
  barePersistent: number;
  bridge: number;
  /** The --compare checkout's bridge into the same app, same run. */
  other: number;
  alone: number;
  /** CPU of the bridge process per event (µs) while it ran. */
  bridgeCpuUs: number;
  otherCpuUs: number;
  /** CPU of the broker per event (µs): bare persistent, then bridge. */
  brokerCpuBareUs: number;
  brokerCpuBridgeUs: number;
  appCpuUs: number;
  postgresCpuUs: number;
  pathCpuUs: number;
  barePathCpuUs: number;
}

/** The results table, CPU per event and the bridge / bare ratios against the 70% target. */
export function printResults(
  results: readonly RunResult[],
  o: { events: number; runs: number; compareRoot: string | undefined; withNull: boolean },
): void {
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const range = (xs: number[]) =>
    xs.length > 1 ? ` (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})` : "";
  const m = (key: keyof RunResult) => {
    const xs = results.map((r) => r[key]);
    return `${Math.round(median(xs))}${range(xs)}`;
  };
  const ratios = (key: "bridge" | "other", base: "bareClean" | "barePersistent") =>
    results.map((r) => r[key] / r[base]);
  const verdict = (xs: number[]) => {
    const r = median(xs);
    const spread =
      xs.length > 1
        ? `, runs ${Math.round(Math.min(...xs) * 100)}–${Math.round(Math.max(...xs) * 100)}%`
        : "";
    return `${Math.round(r * 100)}%${spread} (target ≥ 70%: ${r >= 0.7 ? "met" : "missed"})`;
  };
  console.log(
    `\n| path (${o.events} events, QoS 1, WebSocket) | events/s, median of ${o.runs} (range) |\n|---|---|`,
  );
  console.log(`| broker → bridge → POST /api/ingest → PostgreSQL | ${m("bridge")} |`);
  if (o.compareRoot)
    console.log(`| the same with the bridge of ${o.compareRoot} | ${m("other")} |`);
  console.log(
    `| broker → bare mqtt.js subscriber, persistent session (as the bridge; mean of the runs before and after the bridge's) | ${m("barePersistent")} |`,
  );
  console.log(`| broker → bare mqtt.js subscriber, clean session | ${m("bareClean")} |`);
  if (o.withNull)
    console.log(`| broker → bridge → no-op endpoint (context: the bridge alone) | ${m("alone")} |`);
  console.log(
    `\nbridge CPU per event: ${m("bridgeCpuUs")} µs` +
      (o.compareRoot ? `; compared bridge ${m("otherCpuUs")} µs` : "") +
      `; broker CPU per event: ${m("brokerCpuBareUs")} µs to the bare subscriber, ${m("brokerCpuBridgeUs")} µs to the bridge`,
  );
  console.log(
    `bridge path CPU per event (broker, publisher, bridge, app, PostgreSQL): ${m("pathCpuUs")} µs, against ${m("barePathCpuUs")} µs for the bare path (broker, publisher, subscriber); app ${m("appCpuUs")} µs; PostgreSQL ${m("postgresCpuUs")} µs`,
  );
  console.log(
    `bridge / bare (persistent session, as the bridge): ${verdict(ratios("bridge", "barePersistent"))}`,
  );
  console.log(`bridge / bare (clean session): ${verdict(ratios("bridge", "bareClean"))}`);
  if (o.compareRoot)
    console.log(
      `compared bridge / bare (persistent session): ${verdict(ratios("other", "barePersistent"))}`,
    );
}
