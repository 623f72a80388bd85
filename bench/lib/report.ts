// One row of the results table: a figure measured by this run, next to the
// baseline and the limit measured in the same run, with the runs behind the
// median so a reader can see how noisy the machine was.
import { median, round, spread } from "./stats";

export interface Measured {
  /** What was measured, e.g. "naive: one Prisma create per event". */
  name: string;
  /** The median of `runs`, unless the figure is a single sample (a percentile). */
  value: number;
  unit: string;
  runs: number[];
}

export interface Figure extends Measured {
  section: string;
  /** Reported alongside, e.g. "p50 12 ms". */
  detail?: string;
  baseline?: Measured;
  limit?: Measured;
  /** value / baseline.value, median of the per-run ratios when runs are paired. */
  ratioToBaseline?: number;
  /** value / limit.value, likewise. */
  ratioToLimit?: number;
  target?: { text: string; met: boolean };
  note?: string;
  /** What `runs` are, for the noise column (default "runs"). */
  runsLabel?: string;
}

export function measured(
  name: string,
  unit: string,
  runs: number[],
  value = median(runs),
): Measured {
  return { name, unit, runs, value };
}

/** Median of per-run ratios a[i]/b[i] (runs interleaved, so each pair saw similar noise). */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return Number.NaN;
  return median(Array.from({ length: n }, (_, i) => a[i]! / b[i]!));
}

function fmt(m: Measured | undefined): string {
  if (m === undefined) return "";
  return `${round(m.value).toLocaleString("en-US")} ${m.unit} (${m.name})`;
}

function noise(runs: readonly number[], unit: string, label = "runs"): string {
  if (runs.length < 2)
    return runs.length === 1 ? (label === "runs" ? "1 run" : `1 of ${label}`) : "";
  const s = spread(runs);
  return `${runs.length} ${label}, ${round(s.min).toLocaleString("en-US")}–${round(s.max).toLocaleString("en-US")} ${unit} (±${round(s.spreadPct / 2)}%)`;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function markdownTable(figures: readonly Figure[]): string {
  const lines = [
    "| section | figure | value | baseline | limit | ratio | target | met? | noise |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const f of figures) {
    const ratios = [
      f.ratioToLimit === undefined ? "" : `${round(f.ratioToLimit * 100)}% of limit`,
      f.ratioToBaseline === undefined ? "" : `${round(f.ratioToBaseline)}× baseline`,
    ].filter(Boolean);
    const value = `**${round(f.value).toLocaleString("en-US")} ${f.unit}**${f.detail ? ` (${f.detail})` : ""}`;
    const met = f.target === undefined ? "" : f.target.met ? "yes" : "**no**";
    lines.push(
      `| ${[
        f.section,
        f.name,
        value,
        fmt(f.baseline),
        fmt(f.limit),
        ratios.join("; "),
        f.target?.text ?? "",
        met,
        noise(f.runs, f.unit, f.runsLabel),
      ]
        .map(cell)
        .join(" | ")} |`,
    );
  }
  return lines.join("\n");
}
