// The notification every channel renders: the webhook body of DESIGN.md's
// Alerts section. Built once when the alert changes and stored with its
// delivery, so every attempt sends the same bytes and the same deliveryId.
import { clientIdSegment } from "../clients/client-id-segment";
import type { PresenceStatus } from "../presence/types";
import type { AlertKind } from "./reference";

export type NotificationStatus = "firing" | "resolved";

export interface PayloadClient {
  clientId: string;
  status: PresenceStatus;
  lastDisconnectedAt: string | null;
  disconnectReason: string | null;
}

export interface AlertPayload {
  deliveryId: string;
  status: NotificationStatus;
  rule: { id: string; name: string; kind: AlertKind };
  alertId: string;
  startedAt: string;
  resolvedAt: string | null;
  clients: PayloadClient[];
  incidentId: string | null;
  summary: string;
  url: string;
  /** True for a notification sent by "send test": no alert stands behind it. */
  test?: boolean;
}

const KIND_TEXT: Record<AlertKind, string> = {
  client_offline: "is offline",
  client_flapping: "is flapping",
  connect_failed: "keeps failing to connect",
  fleet_online_below: "online clients below threshold",
  incident: "incident",
};

/** One line a human reads first (Slack text, email subject, PagerDuty summary). */
export function summaryOf(
  status: NotificationStatus,
  rule: { name: string; kind: AlertKind },
  clients: readonly PayloadClient[],
): string {
  const who =
    clients.length === 0
      ? "fleet"
      : clients.length === 1
        ? (clients[0] as PayloadClient).clientId
        : `${clients.length} clients`;
  const reason = clients.length === 1 ? clients[0]?.disconnectReason : null;
  const what =
    status === "resolved"
      ? "resolved"
      : `${KIND_TEXT[rule.kind]}${reason && rule.kind === "client_offline" ? ` (${reason})` : ""}`;
  return `[${status.toUpperCase()}] ${rule.name}: ${who} ${what}`;
}

/** The page an operator opens from the notification. */
export function alertUrl(publicUrl: string, clients: readonly PayloadClient[]): string {
  const only = clients.length === 1 ? clients[0] : undefined;
  return only === undefined
    ? `${publicUrl}/alerts`
    : `${publicUrl}/clients/${clientIdSegment(only.clientId)}`;
}

/** The exact body text of a delivery (JSON, key order fixed). */
export function payloadText(payload: AlertPayload): string {
  return JSON.stringify(payload);
}
