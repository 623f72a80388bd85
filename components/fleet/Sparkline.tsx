import type { OnlinePoint } from "@/lib/stats/schemas";

/**
 * A small online-count line, drawn against `scale` (the group's client count)
 * so that full height means every client online and lines of different
 * groups compare at a glance. Decorative: the numbers are beside it in text.
 */
export function Sparkline({
  points,
  scale,
  dataFrom,
}: {
  points: readonly OnlinePoint[];
  scale: number;
  /** Samples before it read 0 only because nothing was recorded yet: left out, as on the chart. */
  dataFrom: string | null;
}) {
  const width = 96;
  const height = 20;
  const top = Math.max(scale, ...points.map((p) => p.online), 1);
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  const y = (online: number) => (height - 1 - (online / top) * (height - 2)).toFixed(1);
  const drawn = dataFrom === null ? [] : points.filter((p) => p.at >= dataFrom);
  const skip = points.length - drawn.length;
  const line = drawn.map((p, i) => `${((skip + i) * step).toFixed(1)},${y(p.online)}`).join(" ");
  return (
    <svg
      aria-hidden="true"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      className="shrink-0 overflow-visible text-emerald-600 dark:text-emerald-400"
    >
      <line
        x1={0}
        x2={width}
        y1={height - 1}
        y2={height - 1}
        className="stroke-slate-200 dark:stroke-slate-700"
      />
      {drawn.length > 0 ? (
        <polyline points={line} fill="none" stroke="currentColor" strokeWidth={1.5} />
      ) : null}
    </svg>
  );
}
