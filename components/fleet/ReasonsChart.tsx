"use client";

import type { HistoryRange } from "@/lib/stats/schemas";
import type { ReasonsHistory } from "@/lib/stats/reasons";
import { reasonInWords } from "../format/disconnect-reason";
import { formatDay, formatTime } from "../format/time";
import { useElementWidth } from "../hooks/use-element-width";
import { useDisconnectReasonsQuery } from "../hooks/use-fleet-stats";
import type { LabelFilter } from "@/contract/labels";
import { Panel } from "../ui/Panel";
import { chartTitle, ChartPlaceholder } from "./ChartParts";

const HEIGHT = 150;
const PAD = { top: 8, right: 8, bottom: 22, left: 40 };
const number = new Intl.NumberFormat();
/** Distinct in light and dark; reasons past the eighth share the last colour. */
const COLOURS = [
  "fill-sky-500",
  "fill-amber-500",
  "fill-violet-500",
  "fill-emerald-500",
  "fill-rose-500",
  "fill-teal-400",
  "fill-orange-700",
  "fill-slate-400",
];
const colour = (i: number) => COLOURS[Math.min(i, COLOURS.length - 1)] as string;
const words = (code: string) => (code === "UNKNOWN" ? "No reason given" : reasonInWords(code));

function Bars({ data, width }: { data: ReasonsHistory; width: number }) {
  const innerW = Math.max(10, width - PAD.left - PAD.right);
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const totals = data.buckets.map((b) => Object.values(b.counts).reduce((a, n) => a + n, 0));
  const max = Math.max(1, ...totals);
  const slot = innerW / data.buckets.length;
  const barW = Math.max(1, slot * 0.7);
  const all = totals.reduce((a, n) => a + n, 0);
  const label = `Disconnects per ${data.range === "24h" ? "hour over the last 24 hours" : "day over the last 7 days"}: ${number.format(all)} in all${data.reasons[0] ? `, most often ${words(data.reasons[0])}` : ""}.`;
  return (
    <svg width={width} height={HEIGHT} role="img" aria-label={label} className="block">
      <text
        x={PAD.left - 6}
        y={PAD.top + 8}
        textAnchor="end"
        className="fill-slate-600 text-[11px] dark:fill-slate-400"
      >
        {number.format(max)}
      </text>
      <line
        x1={PAD.left}
        x2={PAD.left + innerW}
        y1={PAD.top + innerH}
        y2={PAD.top + innerH}
        className="stroke-slate-200 dark:stroke-slate-800"
      />
      {data.buckets.map((b, k) => {
        let y = PAD.top + innerH;
        const x = PAD.left + k * slot + (slot - barW) / 2;
        const at = Date.parse(b.at);
        const showTick = data.range === "7d" || k % 4 === 0;
        return (
          <g key={b.at}>
            {data.reasons.map((reason, i) => {
              const n = b.counts[reason] ?? 0;
              if (n === 0) return null;
              const h = (n / max) * innerH;
              y -= h;
              return (
                <rect key={reason} x={x} y={y} width={barW} height={h} className={colour(i)}>
                  <title>{`${words(reason)}: ${number.format(n)}`}</title>
                </rect>
              );
            })}
            {showTick ? (
              <text
                x={x + barW / 2}
                y={HEIGHT - 6}
                textAnchor="middle"
                className="fill-slate-600 text-[11px] dark:fill-slate-400"
              >
                {data.range === "24h" ? formatTime(at) : formatDay(at)}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}

/** Disconnect reasons over time, stacked per hour or day, with the AWS codes in words. */
export function ReasonsChart({
  range,
  labels = [],
}: {
  range: HistoryRange;
  /** The fleet page's label filter: only those clients' disconnects. */
  labels?: readonly LabelFilter[];
}) {
  const query = useDisconnectReasonsQuery(range, labels);
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const data = query.data;
  return (
    <Panel id="reasons-chart" title={chartTitle("Why clients disconnected", labels)}>
      <div ref={ref} className="w-full">
        {data ? (
          <>
            <Bars data={data} width={width} />
            <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label="Reasons">
              {data.reasons.map((reason, i) => (
                <li key={reason} className="flex items-center gap-1.5" title={reason}>
                  <svg width="10" height="10" aria-hidden="true">
                    <rect width="10" height="10" rx="2" className={colour(i)} />
                  </svg>
                  {words(reason)}{" "}
                  <span className="tabular-nums text-slate-600 dark:text-slate-300">
                    {number.format(data.buckets.reduce((n, b) => n + (b.counts[reason] ?? 0), 0))}
                  </span>
                </li>
              ))}
              {data.reasons.length === 0 ? (
                <li className="text-slate-600 dark:text-slate-300">
                  No disconnects in this period.
                </li>
              ) : null}
            </ul>
          </>
        ) : (
          <ChartPlaceholder failed={Boolean(query.error)} skeletonClassName="h-[150px] w-full" />
        )}
      </div>
    </Panel>
  );
}
