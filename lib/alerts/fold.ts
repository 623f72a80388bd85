// Storm folding: while an incident is open (lib/incidents detects them), the
// per-client alerts of its clients are recorded against it and sent nowhere
// themselves; one incident alert per rule speaks for them: a firing
// notification naming the incident and listing its clients (the first page),
// updates with the counts at most every ALERTS_INCIDENT_UPDATE_MINUTES, and
// a resolved one when the incident closes. 10,000 devices dropping at once
// send a handful of messages per channel, not 10,000. The `incident` rule
// kind uses the same incident alerts for every incident that opens.
import "server-only";
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { PresenceConfig } from "../presence/types";
import { silencedSql } from "./evaluate-sql";
import { insertDeliveries, payloadClients, type ChangedAlert, type DeliveryRow } from "./outbox";
import { payloadText, type AlertPayload, type NotificationStatus } from "./payload";
import type { RuleRow } from "./rule-row";

/** What folding needs to know of an incident (lib/incidents' IncidentRef). */
export interface FoldIncident {
  id: string;
  startedAt: Date;
  endedAt: Date | null;
  affectedClients: number;
  reconnectedClients: number;
}

/** Where incidents come from: lib/incidents (incident-source.ts). */
export interface IncidentSource {
  openIncidentsForClients(clientIds: readonly string[]): Promise<Map<string, FoldIncident>>;
  resolveIncident(id: string): Promise<FoldIncident | null>;
  incidentsChangedSince(since: Date): Promise<FoldIncident[]>;
  /** The first `limit` client IDs of an incident (its page lists them all). */
  incidentClients(id: string, limit: number): Promise<string[]>;
}

/** Clients listed in one incident notification: the rest are counted, and on the incident's page. */
export const INCIDENT_PAGE_CLIENTS = 100;
export const INCIDENT_EPISODE_PREFIX = "incident:";

export interface FoldOptions {
  source: IncidentSource;
  now: number;
  presence: PresenceConfig;
  publicUrl: string;
  updateEveryMs: number;
}

interface IncidentAlertRow {
  id: string;
  incident_id: string;
  started_at: Date;
  silenced: boolean;
  details: { seq?: number; notifiedAt?: number; notifiedCount?: number };
}

/** Rule kinds whose alerts are per client and fold into incidents. */
export function foldsIntoIncidents(rule: Pick<RuleRow, "kind">): boolean {
  return rule.kind === "client_offline" || rule.kind === "client_flapping";
}

/** The rule's alert for an incident (firing until the incident is over); a silence of the rule mutes it. */
async function openIncidentAlert(
  tx: pg.PoolClient,
  rule: RuleRow,
  incident: FoldIncident,
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO alert (rule_id, client_id, episode, state, silenced, started_at, incident_id)
     VALUES ($1, NULL, $3, 'firing', ${silencedSql("NULL::text")}, $4, $5) ON CONFLICT DO NOTHING`,
    [rule.id, now, `${INCIDENT_EPISODE_PREFIX}${incident.id}`, incident.startedAt, incident.id],
  );
}

/** The `incident` kind: an alert for every incident that opened since the rule's last evaluation. */
export async function openChangedIncidents(
  tx: pg.PoolClient,
  rule: RuleRow,
  source: IncidentSource,
  now: Date,
): Promise<void> {
  for (const incident of await source.incidentsChangedSince(
    rule.evaluated_until ?? rule.created_at,
  )) {
    if (incident.endedAt === null) await openIncidentAlert(tx, rule, incident, now);
  }
}

/**
 * Marks the just-fired alerts whose client is in an open incident as folded
 * into it (they then send nothing themselves) and makes sure the rule has an
 * incident alert for each such incident.
 */
export async function foldFired(
  tx: pg.PoolClient,
  rule: RuleRow,
  fired: ChangedAlert[],
  source: IncidentSource,
  now: Date,
): Promise<void> {
  const candidates = fired.filter((a) => !a.silenced && a.client_id !== null);
  if (candidates.length === 0) return;
  const incidents = await source.openIncidentsForClients(
    candidates.map((a) => a.client_id as string),
  );
  const ids: string[] = [];
  const incidentIds: string[] = [];
  for (const alert of candidates) {
    const incident = incidents.get(alert.client_id as string);
    if (incident === undefined) continue;
    alert.incident_id = incident.id;
    ids.push(alert.id);
    incidentIds.push(incident.id);
  }
  if (ids.length === 0) return;
  await tx.query(
    `UPDATE alert a SET incident_id = f.incident_id
       FROM unnest($1::bigint[], $2::text[]) AS f(id, incident_id) WHERE a.id = f.id`,
    [ids, incidentIds],
  );
  const byId = new Map([...incidents.values()].map((i) => [i.id, i]));
  for (const incidentId of new Set(incidentIds)) {
    await openIncidentAlert(tx, rule, byId.get(incidentId) as FoldIncident, now);
  }
}

/**
 * Who a notice is about. A folding rule: its own alerts folded into the
 * incident (firing = not resolved yet). The `incident` kind: the incident's
 * clients (firing = not reconnected yet).
 */
async function affected(
  tx: pg.PoolClient,
  rule: RuleRow,
  alert: IncidentAlertRow,
  incident: FoldIncident | null,
  source: IncidentSource,
): Promise<{ ids: string[]; total: number; firing: number }> {
  if (rule.kind === "incident") {
    const ids = await source.incidentClients(alert.incident_id, INCIDENT_PAGE_CLIENTS);
    const total = incident?.affectedClients ?? ids.length;
    return { ids, total, firing: incident === null ? 0 : total - incident.reconnectedClients };
  }
  const { rows } = await tx.query<{ client_id: string; total: number; firing: number }>(
    `SELECT client_id, count(*) OVER ()::int AS total,
            count(*) FILTER (WHERE state = 'firing') OVER ()::int AS firing
       FROM alert WHERE rule_id = $1 AND incident_id = $2 AND client_id IS NOT NULL
      ORDER BY client_id LIMIT $3`,
    [rule.id, alert.incident_id, INCIDENT_PAGE_CLIENTS],
  );
  return {
    ids: rows.map((r) => r.client_id),
    total: rows[0]?.total ?? 0,
    firing: rows[0]?.firing ?? 0,
  };
}

async function notice(
  tx: pg.PoolClient,
  rule: RuleRow,
  alert: IncidentAlertRow,
  incident: FoldIncident | null,
  status: NotificationStatus,
  seq: number,
  options: FoldOptions,
): Promise<{ deliveries: number; count: number }> {
  const { ids, total, firing } = await affected(tx, rule, alert, incident, options.source);
  const views = await payloadClients(tx, ids, options.now, options.presence);
  const clients = ids.flatMap((id) => {
    const v = views.get(id);
    return v === undefined ? [] : [v];
  });
  const listed = total > clients.length ? ` (first ${clients.length} listed)` : "";
  const what =
    status === "resolved"
      ? `incident over (${total} clients were affected)`
      : `${firing} of ${total} clients affected by an incident${listed}`;
  const rows: DeliveryRow[] = rule.channel_ids.map((channelId) => {
    const deliveryId = randomUUID();
    const payload: AlertPayload & { clientsTotal: number; clientsFiring: number; update: number } =
      {
        deliveryId,
        status,
        rule: { id: rule.id, name: rule.name, kind: rule.kind },
        alertId: alert.id,
        startedAt: alert.started_at.toISOString(),
        resolvedAt: status === "resolved" ? new Date(options.now).toISOString() : null,
        clients,
        incidentId: alert.incident_id,
        summary: `[${status.toUpperCase()}] ${rule.name}: ${what}`,
        url: `${options.publicUrl}/incidents/${encodeURIComponent(alert.incident_id)}`,
        clientsTotal: total,
        clientsFiring: firing,
        update: seq,
      };
    return {
      id: deliveryId,
      alertId: alert.id,
      channelId,
      status,
      seq,
      body: payloadText(payload),
    };
  });
  return { deliveries: await insertDeliveries(tx, rows), count: firing };
}

/**
 * Each firing incident alert of the rule: resolved (and said so) once its
 * incident is over, merged away or withdrawn; otherwise a first notice, then
 * an update whenever the count of affected clients changed and the last
 * notice is at least `updateEveryMs` old.
 */
export async function refreshIncidentAlerts(
  tx: pg.PoolClient,
  rule: RuleRow,
  options: FoldOptions,
): Promise<{ fired: number; resolved: number; deliveries: number }> {
  const { rows } = await tx.query<IncidentAlertRow>(
    `SELECT id::text, incident_id, started_at, silenced, details FROM alert
      WHERE rule_id = $1 AND state = 'firing' AND episode LIKE 'incident:%'`,
    [rule.id],
  );
  const result = { fired: 0, resolved: 0, deliveries: 0 };
  for (const alert of rows) {
    const incident = await options.source.resolveIncident(alert.incident_id);
    const over =
      incident === null || incident.endedAt !== null || incident.id !== alert.incident_id;
    const seq = alert.details.seq ?? -1;
    if (over) {
      await tx.query(`UPDATE alert SET state = 'resolved', resolved_at = $2 WHERE id = $1`, [
        alert.id,
        new Date(options.now),
      ]);
      result.resolved += 1;
      if (seq >= 0 && !alert.silenced) {
        const sent = await notice(tx, rule, alert, incident, "resolved", 0, options);
        result.deliveries += sent.deliveries;
      }
      continue;
    }
    if (alert.silenced) continue;
    const count = (await affected(tx, rule, alert, incident, options.source)).firing;
    const first = seq < 0;
    const changed = count !== alert.details.notifiedCount;
    const quiet = options.now - (alert.details.notifiedAt ?? 0) >= options.updateEveryMs;
    if (!first && !(changed && quiet)) continue;
    const sent = await notice(tx, rule, alert, incident, "firing", seq + 1, options);
    if (first) result.fired += 1;
    result.deliveries += sent.deliveries;
    await tx.query(`UPDATE alert SET details = $2 WHERE id = $1`, [
      alert.id,
      JSON.stringify({ seq: seq + 1, notifiedAt: options.now, notifiedCount: sent.count }),
    ]);
  }
  return result;
}
