// GET /api/alerts?state=firing|resolved: alerts newest first, each with its
// deliveries and their attempts (what was sent where, and what went wrong).
import "server-only";
import { db } from "../db/client";
import type { AlertsQuery } from "./schemas";

export interface AttemptView {
  attemptedAt: string;
  ok: boolean;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
}

export interface DeliveryView {
  id: string;
  channelId: string;
  channelName: string;
  channelType: string;
  status: "firing" | "resolved";
  state: "pending" | "sent" | "failed";
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  attemptLog: AttemptView[];
}

export interface AlertView {
  id: string;
  rule: { id: string; name: string; kind: string };
  clientId: string | null;
  /** The incident this alert stands for (no client) or was folded into (a client). */
  incidentId: string | null;
  state: "firing" | "resolved";
  silenced: boolean;
  startedAt: string;
  resolvedAt: string | null;
  deliveries: DeliveryView[];
}

interface AlertRow {
  id: string;
  rule_id: string;
  rule_name: string;
  rule_kind: string;
  client_id: string | null;
  incident_id: string | null;
  state: "firing" | "resolved";
  silenced: boolean;
  started_at: Date;
  resolved_at: Date | null;
  deliveries: DeliveryView[] | null;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', ${ISO})`;

export async function listAlerts(
  query: AlertsQuery,
): Promise<{ items: AlertView[]; nextCursor: string | null; counts: { firing: number } }> {
  const { rows } = await db().pool.query<AlertRow>(
    `SELECT a.id::text AS id, r.id AS rule_id, r.name AS rule_name, r.kind AS rule_kind, a.client_id, a.incident_id,
            a.state, a.silenced, a.started_at, a.resolved_at,
            (SELECT json_agg(json_build_object(
                'id', d.id, 'channelId', d.channel_id, 'channelName', ch.name, 'channelType', ch.type,
                'status', d.status, 'state', d.state, 'attempts', d.attempts,
                'nextAttemptAt', CASE WHEN d.state = 'pending' THEN ${iso("d.next_attempt_at")} END,
                'lastError', d.last_error, 'createdAt', ${iso("d.created_at")}, 'sentAt', ${iso("d.sent_at")},
                'attemptLog', COALESCE((SELECT json_agg(json_build_object(
                    'attemptedAt', ${iso("t.attempted_at")}, 'ok', t.ok, 'httpStatus', t.http_status,
                    'durationMs', t.duration_ms, 'error', t.error) ORDER BY t.id)
                  FROM alert_delivery_attempt t WHERE t.delivery_id = d.id), '[]'::json))
               ORDER BY d.created_at, d.status)
               FROM alert_delivery d JOIN alert_channel ch ON ch.id = d.channel_id
              WHERE d.alert_id = a.id) AS deliveries
       FROM alert a JOIN alert_rule r ON r.id = a.rule_id
      WHERE ($1::text IS NULL OR a.state = $1)
        AND ($2::text IS NULL OR a.client_id = $2)
        AND ($3::bigint IS NULL OR a.id < $3)
      ORDER BY a.id DESC
      LIMIT $4`,
    [query.state ?? null, query.clientId ?? null, query.cursor ?? null, query.limit + 1],
  );
  const page = rows.slice(0, query.limit);
  const counts = await db().pool.query<{ firing: number }>(
    `SELECT count(*)::int AS firing FROM alert WHERE state = 'firing' AND NOT silenced`,
  );
  return {
    items: page.map((r) => ({
      id: r.id,
      rule: { id: r.rule_id, name: r.rule_name, kind: r.rule_kind },
      clientId: r.client_id,
      incidentId: r.incident_id,
      state: r.state,
      silenced: r.silenced,
      startedAt: r.started_at.toISOString(),
      resolvedAt: r.resolved_at?.toISOString() ?? null,
      deliveries: r.deliveries ?? [],
    })),
    nextCursor: rows.length > query.limit ? (page[page.length - 1]?.id ?? null) : null,
    counts: { firing: counts.rows[0]?.firing ?? 0 },
  };
}

/** For GET /metrics: firing alerts (not silenced) and deliveries still to send. */
export async function alertGaugeValues(): Promise<{ firing: number; outboxPending: number }> {
  const { rows } = await db().pool.query<{ firing: number; pending: number }>(
    `SELECT (SELECT count(*)::int FROM alert WHERE state = 'firing' AND NOT silenced) AS firing,
            (SELECT count(*)::int FROM alert_delivery WHERE state = 'pending') AS pending`,
  );
  return { firing: rows[0]?.firing ?? 0, outboxPending: rows[0]?.pending ?? 0 };
}
