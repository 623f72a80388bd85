// Disconnect reasons over time (the fleet page's stacked chart): how many
// disconnects of each reason per hour (24 h) or per day (7 days), by event
// time, from the connection table, for the clients carrying every `label`.
import "server-only";
import { z } from "zod";
import { LabelFilters } from "../clients/schemas";
import { fleetMemberSql } from "../clients/infrastructure";
import { db } from "../db/client";
import { sql } from "../db/sql";
import { labelFilterSql } from "../labels/filter-sql";

export const REASON_RANGES = {
  "24h": { spanMs: 24 * 3_600_000, bucketMs: 3_600_000 },
  "7d": { spanMs: 7 * 24 * 3_600_000, bucketMs: 24 * 3_600_000 },
} as const;

/** `label=key:value`, repeatable: only the disconnects of clients carrying every label. */
export const ReasonsQuery = z.object({
  range: z.enum(["24h", "7d"]).default("24h"),
  label: LabelFilters.optional(),
});
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
  // Infrastructure clients (the bridge) are not part of the fleet, as in the online chart.
  const id = sql.raw("c.client_id");
  const statement = sql`SELECT floor(extract(epoch FROM c.disconnected_at - ${new Date(first)}::timestamptz) * 1000
                  / ${bucketMs}::float8)::int AS k,
            COALESCE(c.disconnect_reason, ${NO_REASON}::text) AS reason, count(*)::int AS n
       FROM connection c
      WHERE c.disconnected_at >= ${new Date(first)}::timestamptz AND c.disconnected_at <= ${new Date(to)}::timestamptz
        AND ${fleetMemberSql(id)} AND ${labelFilterSql(id, query.label)}
      GROUP BY 1, 2`;
  const { rows } = await db().pool.query<{ k: number; reason: string; n: number }>(
    statement.text,
    statement.values,
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
