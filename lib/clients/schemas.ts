import { z } from "zod";
import { describeIssues, ServiceError } from "../errors";
import { MAX_LABEL_FILTERS, parseLabelFilter, type Labels } from "../../contract/labels";
import { SOURCES, type Source } from "../../contract/sources";

import {
  LIST_LIMIT,
  MAX_SEARCH_CHARS,
  ORDERS,
  SORTS,
  STATUSES,
  type Status,
} from "../../contract/client-list";

export { SORTS, STATUSES };

/**
 * Range bounds: nothing before 2000 is ever stored (ingest rejects such
 * timestamps), and past year 9999 ISO 8601 needs a sign and six digits that
 * neither spreadsheets nor PostgreSQL's text form round-trip cleanly.
 */
export const EARLIEST_INSTANT = Date.UTC(2000, 0, 1);
export const LATEST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Quoted sender text stays short in messages: a query string may be kilobytes. */
function quote(value: string): string {
  return value.length <= 64
    ? `'${value}'`
    : `'${value.slice(0, 64)}…' (${value.length} characters)`;
}

/** A page size in a query string: a whole number within `limits`, their default when absent. */
export function pageLimit(limits: { min: number; max: number; default: number }) {
  return z.coerce.number().int().min(limits.min).max(limits.max).default(limits.default);
}

/** Accepts ISO 8601 or epoch ms between 2000 and 9999; returns ms. */
export const Instant = z
  .string()
  .meta({
    description: "An ISO 8601 time or epoch milliseconds, between 2000 and 9999.",
    examples: ["2026-12-01T00:00:00.000Z", "1764547200000"],
  })
  .transform((value, ctx) => {
    const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({
        code: "custom",
        message: `${quote(value)} is not an ISO 8601 time or epoch ms`,
      });
      return z.NEVER;
    }
    if (ms < EARLIEST_INSTANT || ms > LATEST_INSTANT) {
      ctx.addIssue({
        code: "custom",
        message: `${quote(value)} is outside the supported range ${new Date(EARLIEST_INSTANT).toISOString()} to ${new Date(LATEST_INSTANT).toISOString()}`,
      });
      return z.NEVER;
    }
    return ms;
  });

/** Search text. No stored client ID holds a NUL, and PostgreSQL text cannot carry one. */
const SearchText = z
  .string()
  .max(MAX_SEARCH_CHARS, `q must be at most ${MAX_SEARCH_CHARS} characters`)
  .refine((q) => !q.includes("\0"), "q must not contain a NUL character (\\u0000)");

/** `true` or `false` in a query string. */
const QueryBoolean = z
  .enum(["true", "false"], { message: "must be true or false" })
  .transform((v) => v === "true");

/** `label=key:value`, repeatable (parseQuery gathers every one): all must match. */
export const LabelFilters = z
  .array(
    z.string().transform((text, ctx) => {
      const filter = parseLabelFilter(text);
      if (typeof filter !== "string") return filter;
      ctx.addIssue({ code: "custom", message: filter });
      return z.NEVER;
    }),
  )
  .max(MAX_LABEL_FILTERS, `label may be given at most ${MAX_LABEL_FILTERS} times`);

export const ListClientsQuery = z.object({
  label: LabelFilters.optional(),
  status: z.enum(STATUSES).optional(),
  flapping: QueryBoolean.optional(),
  source: z.enum(SOURCES, { message: `must be one of ${SOURCES.join(", ")}` }).optional(),
  q: SearchText.optional(),
  /** Unset: lastChange (with asOf: clientId, the only sort a past moment has). */
  sort: z.enum(SORTS).optional(),
  order: z.enum(ORDERS).optional(),
  limit: pageLimit(LIST_LIMIT),
  cursor: z.string().max(1024).optional(),
  /** The fleet as it stood at this moment (ISO 8601 or epoch ms). */
  asOf: Instant.optional(),
});
export type ListClientsQuery = z.infer<typeof ListClientsQuery>;

export const RangeQuery = z
  .object({ from: Instant.optional(), to: Instant.optional() })
  .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, {
    message: "from must not be after to",
  });
export type RangeQuery = z.infer<typeof RangeQuery>;

export const ExportQuery = z
  .object({
    from: Instant.optional(),
    to: Instant.optional(),
    q: ListClientsQuery.shape.q,
    status: ListClientsQuery.shape.status,
    label: ListClientsQuery.shape.label,
  })
  .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, {
    message: "from must not be after to",
  });
export type ExportQuery = z.infer<typeof ExportQuery>;

/** GET /api/export/clients.csv: the fleet list's filters and order, every matching client. */
export const ExportClientsQuery = ListClientsQuery.pick({
  label: true,
  status: true,
  flapping: true,
  source: true,
  q: true,
  sort: true,
  order: true,
});
export type ExportClientsQuery = z.infer<typeof ExportClientsQuery>;

/** GET /api/stats/summary: the counts of the clients carrying every label. */
export const SummaryQuery = z.object({
  label: LabelFilters.optional(),
  asOf: Instant.optional(),
});
export type SummaryQuery = z.infer<typeof SummaryQuery>;

/** Event ids are PostgreSQL bigints: a 19-digit cursor past 2^63 - 1 is no id at all. */
const MAX_BIGINT = 9223372036854775807n;

export const EventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, "cursor must be the nextCursor of an earlier page")
    // Zod runs this even when the regex failed: parse only what is digits.
    .refine(
      (c) => !/^\d{1,19}$/.test(c) || BigInt(c) <= MAX_BIGINT,
      "cursor must be the nextCursor of an earlier page",
    )
    .optional(),
});
export type EventsQuery = z.infer<typeof EventsQuery>;

/** Parses URL search params with a schema, failing with one message naming every bad parameter. */
export function parseQuery<T extends z.ZodType>(schema: T, params: URLSearchParams): z.infer<T> {
  const raw: Record<string, string | string[]> = {};
  for (const [key, value] of params) if (value !== "" && key !== "label") raw[key] = value;
  // The one repeatable parameter: every occurrence counts (all must match).
  const labels = params.getAll("label").filter((v) => v !== "");
  if (labels.length > 0) raw.label = labels;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ServiceError("invalid_query", describeIssues(parsed.error));
  return parsed.data;
}

/** The client object of the HTTP contract. */
export interface ClientView {
  clientId: string;
  status: Status;
  flapping: boolean;
  since: string | null;
  lastConnectedAt: string | null;
  lastDisconnectedAt: string | null;
  disconnectReason: string | null;
  clientInitiatedDisconnect: boolean | null;
  principalIdentifier: string | null;
  sessionIdentifier: string | null;
  versionNumber: number | null;
  ipAddress: string | null;
  thingName: string | null;
  subscriptions: string[];
  subscriptionCount: number;
  /** The latest event; null for a client never seen. */
  lastEventAt: string | null;
  /** When `pending` turns `offline` without any new event (the UI schedules a re-render). */
  pendingUntil: string | null;
  /** The client ID's labels (`{}` when none). */
  labels: Labels;
  /** Where its events come from (contract/sources.ts): its current connection's source; null for a client never seen. */
  source: Source | null;
  /** GET /api/clients/{id} only: an infrastructure client (the bridge), not a fleet member. */
  infrastructure?: boolean;
}

export interface ConnectionView {
  sessionIdentifier: string;
  versionNumber: number;
  connectedAt: string | null;
  disconnectedAt: string | null;
  durationSeconds: number | null;
  disconnectReason: string | null;
  clientInitiatedDisconnect: boolean | null;
  principalIdentifier: string | null;
  ipAddress: string | null;
  thingName: string | null;
  endInferred: boolean;
}

export interface Counts {
  online: number;
  pending: number;
  offline: number;
  /** Seen clients (neverSeen is not part of it). */
  total: number;
  flapping: number;
  /** Client IDs that carry labels (an inventory) but have sent no event yet. */
  neverSeen: number;
}

export interface ClientPage {
  items: ClientView[];
  nextCursor: string | null;
  counts: Counts;
  /** With asOf: the moment the page describes. */
  asOf?: string;
}

/** One topic filter's winning subscription event; `current` per docs/model.md (session-aware). */
export interface SubscriptionStateView {
  topic: string;
  eventType: "subscribed" | "unsubscribed";
  at: string;
  sessionIdentifier: string;
  current: boolean;
}

/** One subscribed/unsubscribed event of the history, newest first. */
export interface SubscriptionEventView {
  eventType: "subscribed" | "unsubscribed";
  at: string;
  receivedAt: string;
  sessionIdentifier: string | null;
  topics: string[];
}

export interface SubscriptionsView {
  current: string[];
  topics: SubscriptionStateView[];
  history: SubscriptionEventView[];
}

export const FailuresQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type FailuresQuery = z.infer<typeof FailuresQuery>;

/** A refused connection attempt (connect_failed). */
export interface FailureView {
  id: string;
  failedAt: string;
  reason: string | null;
  principalIdentifier: string | null;
  ipAddress: string | null;
}

export interface FailuresView {
  items: FailureView[];
  total: number;
}
