import { connectionTime } from "./connections";
import type { TimelineConnection } from "./types";

/**
 * Availability of one client over `[from, to)` (docs/availability.md), the
 * REFERENCE every other copy is held to: the rollup of lib/availability (per
 * day, kept up to date by ingest) and the direct SQL computation, by the
 * property tests of lib/availability.
 *
 * - Observed time: the part of the range after the client's first event (of
 *   any type), so a device added mid-range is not penalised. Time after `now`
 *   has not been observed yet: the range ends at `min(to, now)`.
 * - Online time: the part of the observed range covered by the client's
 *   connections, each drawn as the timeline draws it (lib/presence/timeline.ts:
 *   real or inferred end; the current open connection lasts until the end of
 *   the range). Overlapping connections count once.
 * - Disconnects: connections whose (real) disconnect falls in the range.
 */
export interface AvailabilityInput {
  /** The client's timeline (lib/presence timeline()), in any order. */
  timeline: readonly TimelineConnection[];
  /** The timestamp of the client's first event of any type; null: never seen. */
  firstEventAt: number | null;
  from: number;
  to: number;
  now: number;
}

export interface AvailabilityFigures {
  onlineMs: number;
  observedMs: number;
  /** online / observed; null when nothing was observed. */
  availability: number | null;
  disconnects: number;
}

/** Where the observed part of the range begins and ends (end ≤ begin: nothing observed). */
export function observedWindow(
  firstEventAt: number | null,
  from: number,
  to: number,
  now: number,
): { begin: number; end: number } | null {
  if (firstEventAt === null) return null;
  const begin = Math.max(from, firstEventAt);
  const end = Math.min(to, now);
  return end > begin ? { begin, end } : null;
}

/** The total length of the union of half-open intervals `[s, e)`. */
export function unionLength(intervals: readonly (readonly [number, number])[]): number {
  const sorted = intervals.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let total = 0;
  let reach = -Infinity;
  for (const [s, e] of sorted) {
    if (e <= reach) continue;
    total += e - Math.max(s, reach);
    reach = e;
  }
  return total;
}

export function availability(input: AvailabilityInput): AvailabilityFigures {
  const window = observedWindow(input.firstEventAt, input.from, input.to, input.now);
  if (window === null) return { onlineMs: 0, observedMs: 0, availability: null, disconnects: 0 };
  const { begin, end } = window;
  const intervals: [number, number][] = input.timeline.map((c) => [
    Math.max(connectionTime(c), begin),
    // endedAt null: the current connection, still open.
    Math.min(c.endedAt ?? end, end),
  ]);
  const onlineMs = unionLength(intervals);
  const observedMs = end - begin;
  let disconnects = 0;
  for (const c of input.timeline) {
    if (c.disconnectedAt !== null && c.disconnectedAt >= begin && c.disconnectedAt < end) {
      disconnects += 1;
    }
  }
  return { onlineMs, observedMs, availability: onlineMs / observedMs, disconnects };
}
