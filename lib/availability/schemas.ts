import { z } from "zod";
import { Instant, LabelFilters, ListClientsQuery, pageLimit } from "../clients/schemas";
import type { Labels } from "../../contract/labels";

/** Without `from`: this many days before `to`. */
export const DEFAULT_RANGE_DAYS = 30;
/** The day-by-day strip of one device covers at most this many days (the range itself is free). */
export const MAX_STRIP_DAYS = 92;

const fromNotAfterTo = {
  message: "from must not be after to",
  path: ["from"],
};

/** GET /api/clients/{clientId}/availability */
export const ClientAvailabilityQuery = z
  .object({ from: Instant.optional(), to: Instant.optional() })
  .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, fromNotAfterTo);
export type ClientAvailabilityQuery = z.infer<typeof ClientAvailabilityQuery>;

export const REPORT_LIMIT = { min: 1, max: 500, default: 50 } as const;

/** GET /api/reports/availability (and .csv, which ignores limit and cursor). */
export const AvailabilityReportQuery = z
  .object({
    from: Instant.optional(),
    to: Instant.optional(),
    label: LabelFilters.optional(),
    q: ListClientsQuery.shape.q,
    order: z.enum(["asc", "desc"]).default("asc"),
    limit: pageLimit(REPORT_LIMIT),
    cursor: z.string().max(1024).optional(),
  })
  .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, fromNotAfterTo);
export type AvailabilityReportQuery = z.infer<typeof AvailabilityReportQuery>;

/** The figures of one client over one range. */
export interface AvailabilityFiguresView {
  onlineSeconds: number;
  observedSeconds: number;
  /** online / observed, 0..1; null when nothing was observed. */
  availability: number | null;
  disconnects: number;
}

export interface AvailabilityDayView extends AvailabilityFiguresView {
  /** The UTC day, YYYY-MM-DD (the strip's first and last day may be partial). */
  day: string;
}

export interface ClientAvailabilityView extends AvailabilityFiguresView {
  from: string;
  to: string;
  /** Day by day, oldest first (at most MAX_STRIP_DAYS, the latest ones). */
  days: AvailabilityDayView[];
}

export interface AvailabilityReportItem extends AvailabilityFiguresView {
  clientId: string;
  labels: Labels;
}

export interface AvailabilityReportPage {
  from: string;
  to: string;
  items: AvailabilityReportItem[];
  nextCursor: string | null;
}
