// Disconnect reasons over time (the fleet page's stacked chart): how many
// disconnects of each reason per hour (24 h) or per day (7 days), by event
// time, from the connection table.
import { z } from "zod";
import { db } from "../db/client";

export const REASON_RANGES = {
  "24h": { spanMs: 24 * 3_600_000, bucketMs: 3_600_000 },
  "7d": { spanMs: 7 * 24 * 3_600_000, bucketMs: 24 * 3_600_000 },
} as const;

export const ReasonsQuery = z.object({ range: z.enum(["24h", "7d"]).default("24h") });
export type ReasonsQuery = z.infer<typeof ReasonsQuery>;

/** A disconnect without a reason (older AWS payloads) counts under this key. */
export const NO_REASON = "UNKNOWN";

export interface ReasonsHistory {
  range: keyof typeof REASON_RANGES;
  from: string;
  to: string;
  bucketSeconds: number;
  /** Every reason seen in the range, most frequent first. */
  reasons: string[];
  /** Oldest first; `counts` holds only the reasons of that bucket. */
  buckets: Array<{ at: string; counts: Record<string, number> }>;
}

/**
 * Buckets are aligned to whole hours (UTC) or days (UTC), the last one
 * holding now, so a bar means the same period on every refresh.
 */
export async function disconnectReasons(
  query: ReasonsQuery,
  now = Date.now(),
): Promise<ReasonsHistory> {
  const { spanMs, bucketMs } = REASON_RANGES[query.range];
  const to = now;
  const first = Math.floor((now - spanMs) / bucketMs) * bucketMs + bucketMs;
  const { rows } = await db().pool.query<{ k: number; reason: string; n: number }>(
    `SELECT floor(extract(epoch FROM disconnected_at - $1::timestamptz) * 1000 / $3)::int AS k,
            COALESCE(disconnect_reason, $4) AS reason, count(*)::int AS n
       FROM connection
      WHERE disconnected_at >= $1 AND disconnected_at <= $2
      GROUP BY 1, 2`,
    [new Date(first), new Date(to), bucketMs, NO_REASON],
  );
  const count = Math.floor((to - first) / bucketMs) + 1;
  const buckets = Array.from({ length: count }, (_, k) => {
    const counts: Record<string, number> = {};
    return { at: new Date(first + k * bucketMs).toISOString(), counts };
  });
  const totals = new Map<string, number>();
  for (const { k, reason, n } of rows) {
    const bucket = buckets[k];
    if (bucket === undefined) continue;
    bucket.counts[reason] = n;
    totals.set(reason, (totals.get(reason) ?? 0) + n);
  }
  return {
    range: query.range,
    from: new Date(first).toISOString(),
    to: new Date(to).toISOString(),
    bucketSeconds: bucketMs / 1000,
    reasons: [...totals.entries()]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
      .map(([r]) => r),
    buckets,
  };
}
