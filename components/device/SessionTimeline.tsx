"use client";

import { useState } from "react";
import type { ConnectionView } from "@/lib/clients/schemas";
import { reasonInWords } from "../format/disconnect-reason";
import {
  formatDay,
  formatDuration,
  formatShortDateTime,
  formatTime,
  utcLabel,
} from "../format/time";
import { useElementWidth } from "../hooks/use-element-width";
import { formatShare } from "../format/number";
import { useNow } from "../hooks/use-now";

const HEIGHT = 92;
const PAD = { left: 8, right: 8 };
const BAR_Y = 14;
const BAR_H = 34;
const AXIS_Y = 76;

type Kind = "ended" | "open" | "inferred" | "unknown-start";

interface Bar {
  connection: ConnectionView;
  kind: Kind;
  start: number;
  end: number;
}

/** What one connection draws: its known span, clipped to the range. */
function toBar(c: ConnectionView, from: number, to: number, now: number): Bar | null {
  const connected = c.connectedAt === null ? null : Date.parse(c.connectedAt);
  const ended = c.disconnectedAt === null ? null : Date.parse(c.disconnectedAt);
  let kind: Kind = c.endInferred ? "inferred" : ended === null ? "open" : "ended";
  // A disconnect whose connect never arrived: a thin mark at the disconnect.
  if (connected === null) kind = "unknown-start";
  const start = connected ?? (ended ?? now) - 1;
  const end = ended ?? (kind === "inferred" ? start : Math.min(now, to));
  if (end < from || start > to) return null;
  return {
    connection: c,
    kind,
    start: Math.max(start, from),
    end: Math.min(Math.max(end, start), to),
  };
}

function ticks(from: number, to: number): { at: number; label: string }[] {
  const span = to - from;
  const day = 86_400_000;
  const d = new Date(from);
  const out: { at: number; label: string }[] = [];
  if (span <= 2 * day) {
    const stepHours = span <= 12 * 3_600_000 ? 1 : 3;
    d.setMinutes(0, 0, 0);
    d.setHours(Math.ceil(d.getHours() / stepHours) * stepHours);
    for (; d.getTime() <= to; d.setHours(d.getHours() + stepHours))
      out.push({ at: d.getTime(), label: formatTime(d.getTime()) });
  } else {
    const stepDays = span <= 10 * day ? 1 : 5;
    d.setHours(0, 0, 0, 0);
    d.setDate(d.getDate() + 1);
    for (; d.getTime() <= to; d.setDate(d.getDate() + stepDays))
      out.push({ at: d.getTime(), label: formatDay(d.getTime()) });
  }
  return out.filter((t) => t.at >= from);
}

const FILL: Record<Kind, string> = {
  ended: "fill-emerald-500 dark:fill-emerald-500",
  open: "fill-emerald-600 dark:fill-emerald-400",
  inferred: "fill-[url(#inferred-hatch)]",
  "unknown-start": "fill-slate-500",
};

/** An instant in the viewer's time zone, with UTC on hover. */
function ShortTime({ iso, suffix }: { iso: string; suffix?: string }) {
  const ms = Date.parse(iso);
  return (
    <span title={utcLabel(ms)}>
      {formatShortDateTime(ms)}
      {suffix}
    </span>
  );
}

function Tooltip({ bar }: { bar: Bar }) {
  const c = bar.connection;
  return (
    <div className="space-y-0.5">
      <div className="font-semibold">
        {bar.kind === "open"
          ? "Connected now"
          : bar.kind === "inferred"
            ? "Ended, disconnect never received"
            : "Connection"}
      </div>
      <div>
        Start:{" "}
        {c.connectedAt ? <ShortTime iso={c.connectedAt} /> : "unknown (connect not received)"}
      </div>
      <div>
        End:{" "}
        {c.disconnectedAt ? (
          <ShortTime
            iso={c.disconnectedAt}
            suffix={c.endInferred ? " (no later than; inferred)" : ""}
          />
        ) : c.endInferred ? (
          "unknown"
        ) : (
          "still connected"
        )}
      </div>
      {c.durationSeconds !== null ? <div>Duration: {formatDuration(c.durationSeconds)}</div> : null}
      {c.disconnectReason ? (
        <div>
          Reason: {reasonInWords(c.disconnectReason)}
          {c.clientInitiatedDisconnect ? " (by client)" : ""}
        </div>
      ) : null}
      <div className="font-mono text-[11px] text-slate-600 dark:text-slate-400">
        v{c.versionNumber} · {c.sessionIdentifier}
      </div>
    </div>
  );
}

/** One bar per connection across the range: gaps are offline time, hatched bars ended unseen. */
export function SessionTimeline({
  items,
  from,
  to,
}: {
  items: ConnectionView[];
  from: number;
  to: number;
}) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const [hover, setHover] = useState<{ bar: Bar; x: number } | null>(null);
  // Re-rendered every 15 s, so an open connection's bar and the "now" line keep up.
  const now = useNow(15_000);
  const innerW = Math.max(10, width - PAD.left - PAD.right);
  const x = (t: number) => PAD.left + ((t - from) / (to - from)) * innerW;
  const bars = items.map((c) => toBar(c, from, to, now)).filter((b): b is Bar => b !== null);
  const onlineMs = bars
    .filter((b) => b.kind !== "unknown-start")
    .reduce((sum, b) => sum + (b.end - b.start), 0);
  // Of the range up to now: the future part of a range is no time offline.
  const elapsedMs = Math.max(0, Math.min(to, now) - from);
  const connected =
    onlineMs > 0
      ? `connected ${formatDuration(onlineMs / 1000)}, ${formatShare(onlineMs, elapsedMs)} of the range`
      : "not connected in the range";

  return (
    <div ref={ref} className="relative w-full" onPointerLeave={() => setHover(null)}>
      <svg
        width={width}
        height={HEIGHT}
        role="img"
        aria-label={`Session timeline: ${bars.length} connection${bars.length === 1 ? "" : "s"} in the range, ${connected}. The table below lists them.`}
        className="block"
      >
        <defs>
          <pattern
            id="inferred-hatch"
            width="6"
            height="6"
            patternUnits="userSpaceOnUse"
            patternTransform="rotate(45)"
          >
            <rect width="6" height="6" className="fill-emerald-500/25" />
            <line
              x1="0"
              y1="0"
              x2="0"
              y2="6"
              strokeWidth="3"
              className="stroke-emerald-600/70 dark:stroke-emerald-400/70"
            />
          </pattern>
        </defs>
        <rect
          x={PAD.left}
          y={BAR_Y}
          width={innerW}
          height={BAR_H}
          rx={4}
          className="fill-slate-100 dark:fill-slate-800"
        />
        {ticks(from, to).map((t) => (
          <g key={t.at}>
            <line
              x1={x(t.at)}
              x2={x(t.at)}
              y1={BAR_Y - 4}
              y2={BAR_Y + BAR_H + 4}
              className="stroke-slate-300 dark:stroke-slate-700"
              strokeDasharray="2 3"
            />
            <text
              x={x(t.at)}
              y={AXIS_Y + 10}
              textAnchor="middle"
              className="fill-slate-600 text-[11px] dark:fill-slate-400"
            >
              {t.label}
            </text>
          </g>
        ))}
        {bars.map((bar, i) => {
          const bx = x(bar.start);
          const bw = Math.max(2, x(bar.end) - bx);
          return (
            <rect
              key={`${bar.connection.sessionIdentifier}:${bar.connection.versionNumber}:${i}`}
              data-kind={bar.kind}
              x={bx}
              y={BAR_Y}
              width={bw}
              height={BAR_H}
              rx={2}
              className={`${FILL[bar.kind]} ${bar.kind === "inferred" ? "stroke-emerald-600 dark:stroke-emerald-400" : ""} cursor-pointer hover:opacity-80`}
              strokeDasharray={bar.kind === "inferred" ? "4 3" : undefined}
              onPointerEnter={() => setHover({ bar, x: bx + bw / 2 })}
              onPointerMove={() => setHover({ bar, x: bx + bw / 2 })}
            />
          );
        })}
        <line
          x1={x(Math.min(now, to))}
          x2={x(Math.min(now, to))}
          y1={BAR_Y - 6}
          y2={BAR_Y + BAR_H + 6}
          className="stroke-sky-600"
          strokeWidth={1.5}
        />
      </svg>
      {hover ? (
        <div
          role="tooltip"
          className="pointer-events-none absolute top-[60px] z-10 w-64 rounded-lg border border-slate-200 bg-white p-2 text-xs shadow-lg dark:border-slate-700 dark:bg-slate-800"
          style={{ left: Math.min(Math.max(hover.x - 128, 0), Math.max(0, width - 256)) }}
        >
          <Tooltip bar={hover.bar} />
        </div>
      ) : null}
      <div className="mt-1 flex flex-wrap gap-4 text-xs text-slate-600 dark:text-slate-400">
        <span className="flex items-center gap-1.5">
          <span aria-hidden className="h-3 w-5 rounded-sm bg-emerald-500" /> connected
        </span>
        <span className="flex items-center gap-1.5">
          <svg aria-hidden width="20" height="12">
            <rect
              width="20"
              height="12"
              rx="2"
              className="fill-[url(#inferred-hatch)] stroke-emerald-600"
              strokeDasharray="4 3"
            />
          </svg>
          ended, disconnect never received (inferred)
        </span>
        <span className="flex items-center gap-1.5">
          <span aria-hidden className="h-3 w-0.5 bg-sky-600" /> now
        </span>
        <span className="ml-auto tabular-nums" data-testid="timeline-share">
          {connected}
        </span>
      </div>
    </div>
  );
}
