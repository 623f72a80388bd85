// The durable outbox: deliveries are written in the transaction that changes
// the alert, so a crash between the change and the send loses nothing (the
// sender finds the row on its next pass, in whichever instance runs it).
import "server-only";
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { connectionFromRow, type ConnectionColumns } from "../clients/client-row";
import { presenceStatus } from "../presence/status";
import type { PresenceConfig } from "../presence/types";
import {
  alertUrl,
  payloadText,
  summaryOf,
  type AlertPayload,
  type NotificationStatus,
  type PayloadClient,
} from "./payload";
import type { RuleRow } from "./rule-row";

/** An alert that just fired or resolved, as the evaluation's RETURNING gives it. */
export interface ChangedAlert {
  id: string;
  client_id: string | null;
  silenced: boolean;
  started_at: Date;
  resolved_at?: Date | null;
  /** The incident the alert was folded into (fold.ts): it sends nothing itself. */
  incident_id?: string | null;
}

/** One outbox row: a notification to one channel, the body fixed for every attempt. */
export interface DeliveryRow {
  id: string;
  alertId: string;
  channelId: string;
  status: NotificationStatus;
  seq: number;
  body: string;
}

/** Writes deliveries, due at once (skipping channels deleted meanwhile and any already written). */
export async function insertDeliveries(
  tx: pg.PoolClient,
  rows: readonly DeliveryRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await tx.query(
    `INSERT INTO alert_delivery (id, alert_id, channel_id, status, seq, body)
     SELECT d.id, d.alert_id, d.channel_id, d.status, d.seq, d.body
       FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[], $5::int[], $6::text[])
            AS d(id, alert_id, channel_id, status, seq, body)
      WHERE EXISTS (SELECT 1 FROM alert_channel ch WHERE ch.id = d.channel_id)
     ON CONFLICT DO NOTHING`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.alertId),
      rows.map((r) => r.channelId),
      rows.map((r) => r.status),
      rows.map((r) => r.seq),
      rows.map((r) => r.body),
    ],
  );
  return result.rowCount ?? 0;
}

interface StateRow extends ConnectionColumns {
  session_identifier: string | null;
  version_f: number | null;
  last_disconnected_at: Date | null;
}

/** The payload's view of each client, read in the same transaction. */
export async function payloadClients(
  tx: pg.PoolClient,
  ids: string[],
  now: number,
  config: PresenceConfig,
): Promise<Map<string, PayloadClient>> {
  const { rows } = await tx.query<StateRow>(
    `SELECT cs.*, cs.version_number::float8 AS version_f FROM client_state cs
      WHERE cs.client_id = ANY ($1::text[])`,
    [ids],
  );
  const result = new Map<string, PayloadClient>();
  for (const r of rows) {
    const current =
      r.session_identifier === null || r.version_f === null
        ? undefined
        : connectionFromRow(r, r.session_identifier, r.version_f);
    const status = presenceStatus(current, now, config);
    result.set(r.client_id, {
      clientId: r.client_id,
      status,
      lastDisconnectedAt: r.last_disconnected_at?.toISOString() ?? null,
      disconnectReason: current?.disconnectedAt != null ? r.disconnect_reason : null,
    });
  }
  return result;
}

/**
 * Writes one delivery per channel of the rule for each alert that changed
 * and is not silenced. The unique (alert, channel, status) key makes a
 * repeated enqueue a no-op: one firing and one resolved per channel.
 */
export async function enqueueDeliveries(
  tx: pg.PoolClient,
  rule: RuleRow,
  status: NotificationStatus,
  alerts: readonly ChangedAlert[],
  options: { now: number; presence: PresenceConfig; publicUrl: string },
): Promise<number> {
  // Silenced alerts are recorded, not sent; folded ones go out in their incident's notice.
  const sendable = alerts.filter((a) => !a.silenced && (a.incident_id ?? null) === null);
  if (sendable.length === 0 || rule.channel_ids.length === 0) return 0;
  const clientIds = sendable.flatMap((a) => (a.client_id === null ? [] : [a.client_id]));
  const clients = await payloadClients(tx, clientIds, options.now, options.presence);
  const rows: DeliveryRow[] = [];
  for (const alert of sendable) {
    const list: PayloadClient[] =
      alert.client_id === null
        ? []
        : [
            clients.get(alert.client_id) ?? {
              clientId: alert.client_id,
              status: "offline",
              lastDisconnectedAt: null,
              disconnectReason: null,
            },
          ];
    for (const channelId of rule.channel_ids) {
      const deliveryId = randomUUID();
      const payload: AlertPayload = {
        deliveryId,
        status,
        rule: { id: rule.id, name: rule.name, kind: rule.kind },
        alertId: alert.id,
        startedAt: alert.started_at.toISOString(),
        resolvedAt: alert.resolved_at?.toISOString() ?? null,
        clients: list,
        incidentId: null,
        summary: summaryOf(status, rule, list),
        url: alertUrl(options.publicUrl, list),
      };
      rows.push({
        id: deliveryId,
        alertId: alert.id,
        channelId,
        status,
        seq: 0,
        body: payloadText(payload),
      });
    }
  }
  return insertDeliveries(tx, rows);
}
