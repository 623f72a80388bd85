// Small statistics for noisy shared machines: medians of runs, percentiles of
// samples, and how far the runs spread.

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in 0..100); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Spread {
  min: number;
  max: number;
  /** (max − min) / median, in percent: 0 for one run. */
  spreadPct: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { min: Number.NaN, max: Number.NaN, spreadPct: Number.NaN };
  const min = values.reduce((a, b) => Math.min(a, b));
  const max = values.reduce((a, b) => Math.max(a, b));
  const m = median(values);
  return { min, max, spreadPct: m === 0 ? 0 : ((max - min) / Math.abs(m)) * 100 };
}

/** Latency percentiles of one sample set, in the sample's unit. */
export function latencySummary(samples: readonly number[]): {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  n: number;
} {
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: samples.length === 0 ? Number.NaN : samples.reduce((a, b) => Math.max(a, b)),
    n: samples.length,
  };
}

/** Rounds for reports: 3 significant digits below 100, integers above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Number(value.toPrecision(3));
}
