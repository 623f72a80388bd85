import { z } from "zod";
import { LabelFilters } from "../clients/schemas";
import { FacetQuery } from "../labels/schemas";

/** Chart spans and their sampling step: ~100 points whatever the span. */
export const HISTORY_RANGES = {
  "24h": { spanMs: 24 * 3_600_000, stepMs: 15 * 60_000 },
  "7d": { spanMs: 7 * 24 * 3_600_000, stepMs: 2 * 3_600_000 },
  "30d": { spanMs: 30 * 24 * 3_600_000, stepMs: 6 * 3_600_000 },
} as const;
export type HistoryRange = keyof typeof HISTORY_RANGES;

export const OnlineHistoryQuery = z.object({
  range: z.enum(["24h", "7d", "30d"]).default("24h"),
  label: LabelFilters.optional(),
});
export type OnlineHistoryQuery = z.infer<typeof OnlineHistoryQuery>;

/** GET /api/stats/online/by-label: the online chart split by one label key's values. */
export const OnlineByLabelQuery = OnlineHistoryQuery.extend({ key: FacetQuery.shape.key });
export type OnlineByLabelQuery = z.infer<typeof OnlineByLabelQuery>;

export interface OnlineByLabel {
  range: HistoryRange;
  key: string;
  from: string;
  to: string;
  stepSeconds: number;
  /** As OnlineHistory's: the first sample with any history of these values' clients. */
  dataFrom: string | null;
  /** The key's most common values (as the label facet orders them), each with its points. */
  series: { value: string; points: OnlinePoint[] }[];
}

export interface OnlinePoint {
  at: string;
  online: number;
}

export interface OnlineHistory {
  range: HistoryRange;
  from: string;
  to: string;
  stepSeconds: number;
  points: OnlinePoint[];
  /**
   * The first sample with any connection history at or before it; earlier
   * samples read 0 only because nothing was recorded yet (the chart leaves
   * them out). Null when nothing at all was recorded.
   */
  dataFrom: string | null;
}
