"use client";

import { useState, type KeyboardEvent, type PointerEvent } from "react";
import type { IncidentItem } from "@/lib/incidents/schemas";
import type { HistoryRange, OnlineHistory } from "@/lib/stats/schemas";
import { formatDay, formatShortDateTime, formatTime, utcLabel } from "../format/time";
import { useElementWidth } from "../hooks/use-element-width";
import { useOnlineHistoryQuery } from "../hooks/use-fleet-stats";
import type { LabelFilter } from "@/contract/labels";
import { useIncidentsQuery } from "../hooks/use-incidents";
import { IncidentMarkers } from "./IncidentMarkers";
import { Panel } from "../ui/Panel";
import { chartTitle, ChartPlaceholder } from "./ChartParts";
import { ToggleGroup } from "../ui/ToggleGroup";

const HEIGHT = 180;
const PAD = { top: 12, right: 12, bottom: 26, left: 44 };
const number = new Intl.NumberFormat();

/** 1, 2, 5 × 10^n steps so the axis reads in round numbers. */
function niceMax(max: number): number {
  if (max <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * magnitude >= max) return m * magnitude;
  return 10 * magnitude;
}

/** Tick instants on local hour or day boundaries. */
/** The ranges the chart offers (the API has more). */
const RANGE_NAMES = { "24h": "24 hours", "7d": "7 days" } as const;

function timeTicks(from: number, to: number, range: HistoryRange): number[] {
  const ticks: number[] = [];
  const d = new Date(from);
  if (range === "24h") {
    d.setMinutes(0, 0, 0);
    d.setHours(Math.ceil(d.getHours() / 4) * 4);
    for (; d.getTime() <= to; d.setHours(d.getHours() + 4))
      if (d.getTime() >= from) ticks.push(d.getTime());
  } else {
    d.setHours(0, 0, 0, 0);
    for (; d.getTime() <= to; d.setDate(d.getDate() + 1))
      if (d.getTime() >= from) ticks.push(d.getTime());
  }
  return ticks;
}

function Chart({
  history,
  width,
  incidents,
  onPick,
  asOf,
}: {
  history: OnlineHistory;
  width: number;
  incidents: readonly IncidentItem[];
  onPick?: ((at: string) => void) | undefined;
  /** The past moment being viewed, marked on the chart. */
  asOf?: string | undefined;
}) {
  const [hover, setHover] = useState<number | null>(null);
  const points = history.points;
  const from = Date.parse(history.from);
  const to = Date.parse(history.to);
  const innerW = Math.max(10, width - PAD.left - PAD.right);
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(0, ...points.map((p) => p.online)));
  const x = (t: number) => PAD.left + ((t - from) / (to - from)) * innerW;
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const coords = points.map((p) => [x(Date.parse(p.at)), y(p.online)] as const);
  // Samples before any recorded history read 0 only because nothing was recorded yet: not drawn.
  const firstWithData =
    history.dataFrom === null ? points.length : points.findIndex((p) => p.at === history.dataFrom);
  const drawn = coords.slice(Math.max(0, firstWithData));
  const line = drawn
    .map(([cx, cy], i) => `${i === 0 ? "M" : "L"}${cx.toFixed(1)},${cy.toFixed(1)}`)
    .join("");
  const area =
    drawn.length > 0
      ? `${line}L${drawn[drawn.length - 1]![0]},${y(0)}L${drawn[0]![0]},${y(0)}Z`
      : "";
  const noDataYet = hover !== null && hover < firstWithData;
  const hovered = hover === null ? undefined : points[hover];
  const peak = Math.max(0, ...points.map((p) => p.online));

  const onPointer = (e: PointerEvent<SVGSVGElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const t = from + ((e.clientX - rect.left - PAD.left) / innerW) * (to - from);
    const step = history.stepSeconds * 1000;
    setHover(Math.min(points.length - 1, Math.max(0, Math.round((t - from) / step))));
  };
  const pick = () => {
    const point = hover === null ? undefined : points[hover];
    if (onPick !== undefined && point !== undefined) onPick(point.at);
  };
  const onKey = (e: KeyboardEvent<SVGSVGElement>) => {
    if (e.key === "Enter" && hover !== null) {
      e.preventDefault();
      pick();
      return;
    }
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    e.preventDefault();
    const last = points.length - 1;
    setHover((h) => Math.min(last, Math.max(0, (h ?? last) + (e.key === "ArrowLeft" ? -1 : 1))));
  };

  return (
    <div className="relative">
      <svg
        width={width}
        height={HEIGHT}
        role="img"
        tabIndex={0}
        aria-label={`Online clients over the last ${history.range === "24h" ? "24 hours" : "7 days"}: now ${number.format(points[points.length - 1]?.online ?? 0)}, peak ${number.format(peak)}. Use the arrow keys to read values${onPick ? "; click a point or press Enter to view the fleet at that moment" : ""}.`}
        data-testid="online-chart-svg"
        onPointerMove={onPointer}
        onClick={(e) => {
          const rect = e.currentTarget.getBoundingClientRect();
          const t = from + ((e.clientX - rect.left - PAD.left) / innerW) * (to - from);
          const k = Math.round((t - from) / (history.stepSeconds * 1000));
          const point = points[Math.min(points.length - 1, Math.max(0, k))];
          if (onPick !== undefined && point !== undefined) onPick(point.at);
        }}
        onPointerLeave={() => setHover(null)}
        onKeyDown={onKey}
        onBlur={() => setHover(null)}
        className="block cursor-crosshair touch-none rounded focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
      >
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line
              x1={PAD.left}
              x2={PAD.left + innerW}
              y1={y(max * f)}
              y2={y(max * f)}
              className="stroke-slate-200 dark:stroke-slate-800"
            />
            <text
              x={PAD.left - 6}
              y={y(max * f) + 4}
              textAnchor="end"
              className="fill-slate-600 text-[11px] dark:fill-slate-400"
            >
              {number.format(max * f)}
            </text>
          </g>
        ))}
        {timeTicks(from, to, history.range).map((t) => (
          <text
            key={t}
            x={x(t)}
            y={HEIGHT - 6}
            textAnchor="middle"
            className="fill-slate-600 text-[11px] dark:fill-slate-400"
          >
            {history.range === "24h" ? formatTime(t) : formatDay(t)}
          </text>
        ))}
        <path d={area} className="fill-emerald-500/15 dark:fill-emerald-400/15" />
        <path
          d={line}
          fill="none"
          strokeWidth={2}
          strokeLinejoin="round"
          className="stroke-emerald-600 dark:stroke-emerald-400"
        />
        {drawn.length === 1 ? (
          // History began at the last sample: a dot, since a one-point line draws nothing.
          <circle
            cx={drawn[0]![0]}
            cy={drawn[0]![1]}
            r={3}
            className="fill-emerald-600 dark:fill-emerald-400"
          />
        ) : null}
        {asOf !== undefined && Date.parse(asOf) >= from && Date.parse(asOf) <= to ? (
          <line
            data-testid="as-of-marker"
            x1={x(Date.parse(asOf))}
            x2={x(Date.parse(asOf))}
            y1={PAD.top}
            y2={PAD.top + innerH}
            strokeWidth={2}
            className="stroke-amber-500"
          />
        ) : null}
        {hovered && hover !== null ? (
          <g>
            <line
              x1={coords[hover]![0]}
              x2={coords[hover]![0]}
              y1={PAD.top}
              y2={PAD.top + innerH}
              className="stroke-slate-400"
              strokeDasharray="3 3"
            />
            {noDataYet ? null : (
              <circle
                cx={coords[hover]![0]}
                cy={coords[hover]![1]}
                r={4}
                className="fill-emerald-600 stroke-white dark:fill-emerald-400"
                strokeWidth={2}
              />
            )}
          </g>
        ) : null}
      </svg>
      <IncidentMarkers
        incidents={incidents}
        x={x}
        from={from}
        to={to}
        top={PAD.top}
        height={innerH}
      />
      {hovered && hover !== null ? (
        <div
          role="status"
          className="pointer-events-none absolute top-1 rounded-md border border-slate-200 bg-white px-2 py-1 text-xs shadow dark:border-slate-700 dark:bg-slate-800"
          style={{ left: Math.min(Math.max(coords[hover]![0] - 70, 0), width - 150) }}
        >
          <div className="font-semibold tabular-nums">
            {noDataYet ? "no data recorded yet" : `${number.format(hovered.online)} online`}
          </div>
          <div
            className="text-slate-600 dark:text-slate-300"
            title={utcLabel(Date.parse(hovered.at))}
          >
            {formatShortDateTime(Date.parse(hovered.at))}
          </div>
        </div>
      ) : null}
    </div>
  );
}

/**
 * Online clients over the last 24 h or 7 days, computed from connections.
 * Clicking a point (or Enter on it) views the fleet at that moment (`onPick`).
 */
export function OnlineChart({
  range,
  onRange,
  labels = [],
  onPick,
  asOf,
}: {
  range: HistoryRange;
  onRange: (r: HistoryRange) => void;
  onPick?: (at: string) => void;
  asOf?: string | undefined;
  /** The fleet page's label filter: the chart counts only those clients. */
  labels?: readonly LabelFilter[];
}) {
  const query = useOnlineHistoryQuery(range, labels);
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const chartFrom = query.data?.from;
  const incidents = useIncidentsQuery(
    { from: chartFrom ?? "", to: query.data?.to ?? "" },
    chartFrom !== undefined,
  );
  return (
    <Panel
      id="online-chart"
      title={chartTitle("Online clients", labels)}
      actions={
        <ToggleGroup
          label="Chart range"
          options={RANGE_NAMES}
          selected={range}
          onSelect={(r) => onRange(r)}
        />
      }
    >
      <div ref={ref} className="w-full">
        {query.data ? (
          <Chart
            history={query.data}
            width={width}
            incidents={incidents.data?.items ?? []}
            onPick={onPick}
            asOf={asOf}
          />
        ) : (
          <ChartPlaceholder
            failed={Boolean(query.error)}
            skeletonClassName="h-[180px] w-full"
            messageLayout="flex h-[180px] items-center justify-center"
          />
        )}
      </div>
    </Panel>
  );
}
