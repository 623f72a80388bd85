// The scheduler's evaluation pass: each enabled rule is claimed by one app
// instance (FOR UPDATE SKIP LOCKED), evaluated in SQL, and its alert changes
// and their outbox rows committed in one transaction.
import "server-only";
import type pg from "pg";
import type { PresenceConfig } from "../presence/types";
import { statusSql } from "../clients/client-row";
import { sql } from "../db/sql";
import { labelFilterSql } from "../labels/filter-sql";
import type { AlertsConfig } from "./config";
import {
  FAILING_CLIENTS_SQL,
  FIRE_OFFLINE_SQL,
  FIRE_WANTED_SQL,
  FLAPPING_CLIENTS_SQL,
  RESOLVE_OFFLINE_SQL,
  RESOLVE_UNWANTED_SQL,
  WATERMARK_MARGIN_MS,
} from "./evaluate-sql";
import {
  foldFired,
  foldsIntoIncidents,
  openChangedIncidents,
  refreshIncidentAlerts,
  type IncidentSource,
} from "./fold";
import { notifyAlertsChanged } from "./notify";
import { enqueueDeliveries, type ChangedAlert } from "./outbox";
import { fleetOnlineBelow } from "./reference";
import { ruleLabels, ruleLike, type RuleRow } from "./rule-row";

export interface EvaluationResult {
  rules: number;
  fired: number;
  resolved: number;
  deliveries: number;
}

interface Transition {
  fired: ChangedAlert[];
  resolved: ChangedAlert[];
  deliveries: number;
}

async function offlineTransition(
  tx: pg.PoolClient,
  rule: RuleRow,
  now: Date,
  presence: PresenceConfig,
) {
  const resolved = await tx.query<ChangedAlert>(RESOLVE_OFFLINE_SQL, [
    rule.id,
    now,
    ruleLike(rule),
    ruleLabels(rule),
  ]);
  const fired = await tx.query<ChangedAlert>(FIRE_OFFLINE_SQL, [
    rule.id,
    now,
    presence.offlineGraceMs,
    rule.for_seconds * 1000,
    ruleLike(rule),
    rule.evaluated_until,
    WATERMARK_MARGIN_MS,
    ruleLabels(rule),
  ]);
  return { fired: fired.rows, resolved: resolved.rows };
}

/** Which clients (or '' for the fleet) an episode-less rule wants firing at `now`. */
async function wantedOf(
  tx: pg.PoolClient,
  rule: RuleRow,
  now: Date,
  presence: PresenceConfig,
): Promise<string[]> {
  const like = ruleLike(rule);
  const labels = ruleLabels(rule);
  switch (rule.kind) {
    case "client_flapping": {
      const windowMs = (rule.window_seconds ?? presence.flapWindowMs / 1000) * 1000;
      const threshold = rule.threshold ?? presence.flapThreshold;
      const { rows } = await tx.query<{ client_id: string }>(FLAPPING_CLIENTS_SQL, [
        new Date(now.getTime() - windowMs),
        threshold,
        like,
        labels,
      ]);
      return rows.map((r) => r.client_id);
    }
    case "connect_failed": {
      const windowMs = (rule.window_seconds ?? 300) * 1000;
      const { rows } = await tx.query<{ client_id: string }>(FAILING_CLIENTS_SQL, [
        new Date(now.getTime() - windowMs),
        now,
        rule.threshold ?? 1,
        like,
        labels,
      ]);
      return rows.map((r) => r.client_id);
    }
    case "fleet_online_below": {
      const statement = sql`SELECT count(*) FILTER (WHERE ${statusSql(now, presence)} = 'online')::int AS online,
                count(*)::int AS total
           FROM client_state cs
          WHERE cs.client_id LIKE ${like}
            AND ${labelFilterSql(
              sql.raw("cs.client_id"),
              Object.entries(rule.selector.labels ?? {}).map(([key, value]) => ({ key, value })),
            )}`;
      const { rows } = await tx.query<{ online: number; total: number }>(
        statement.text,
        statement.values,
      );
      const { online, total } = rows[0] ?? { online: 0, total: 0 };
      return fleetOnlineBelow(online, total, rule.threshold, rule.threshold_share) ? [""] : [];
    }
    default:
      return [];
  }
}

async function wantedTransition(
  tx: pg.PoolClient,
  rule: RuleRow,
  now: Date,
  presence: PresenceConfig,
) {
  const wanted = await wantedOf(tx, rule, now, presence);
  const resolved = await tx.query<ChangedAlert>(RESOLVE_UNWANTED_SQL, [rule.id, now, wanted]);
  const fired = await tx.query<ChangedAlert>(FIRE_WANTED_SQL, [rule.id, now, wanted]);
  return { fired: fired.rows, resolved: resolved.rows };
}

/**
 * Claims one rule not yet evaluated at `now` and evaluates it, or returns
 * null when every rule is done or held by another instance.
 */
async function evaluateOneRule(
  pool: pg.Pool,
  now: Date,
  presence: PresenceConfig,
  alerts: AlertsConfig,
  incidents: IncidentSource | null,
): Promise<Transition | null> {
  const tx = await pool.connect();
  try {
    await tx.query("BEGIN");
    // The planner prices the per-row silence and label probes high, which
    // crosses PostgreSQL's JIT thresholds: compiling took a second of CPU
    // per pass (measured with EXPLAIN ANALYZE) to run a query of a few
    // milliseconds, taken from ingest. These statements never need it.
    await tx.query("SET LOCAL jit = off");
    const { rows } = await tx.query<RuleRow>(
      `SELECT * FROM alert_rule
        WHERE enabled AND (kind <> 'incident' OR $2) AND (evaluated_until IS NULL OR evaluated_until < $1)
        ORDER BY evaluated_until NULLS FIRST LIMIT 1
        FOR UPDATE SKIP LOCKED`,
      [now, incidents !== null],
    );
    const rule = rows[0];
    if (rule === undefined) {
      await tx.query("ROLLBACK");
      return null;
    }
    const t =
      rule.kind === "client_offline"
        ? await offlineTransition(tx, rule, now, presence)
        : await wantedTransition(tx, rule, now, presence);
    const options = { now: now.getTime(), presence, publicUrl: alerts.publicUrl };
    let deliveries = 0;
    let incidentChanges = 0;
    if (incidents !== null && (foldsIntoIncidents(rule) || rule.kind === "incident")) {
      if (rule.kind === "incident") await openChangedIncidents(tx, rule, incidents, now);
      else await foldFired(tx, rule, t.fired, incidents, now);
      const r = await refreshIncidentAlerts(tx, rule, {
        ...options,
        source: incidents,
        updateEveryMs: alerts.incidentUpdateMs,
      });
      deliveries += r.deliveries;
      incidentChanges = r.fired + r.resolved + r.deliveries;
    }
    deliveries +=
      (await enqueueDeliveries(tx, rule, "resolved", t.resolved, options)) +
      (await enqueueDeliveries(tx, rule, "firing", t.fired, options));
    await tx.query(`UPDATE alert_rule SET evaluated_until = $2 WHERE id = $1`, [rule.id, now]);
    if (t.fired.length + t.resolved.length + incidentChanges > 0) await notifyAlertsChanged(tx);
    await tx.query("COMMIT");
    return { ...t, deliveries };
  } catch (error) {
    await tx.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    tx.release();
  }
}

/** Evaluates every enabled rule once at `now` (the share of them this instance gets). */
export async function evaluateRules(
  pool: pg.Pool,
  now: Date,
  presence: PresenceConfig,
  alerts: AlertsConfig,
  incidents: IncidentSource | null = null,
): Promise<EvaluationResult> {
  const result: EvaluationResult = { rules: 0, fired: 0, resolved: 0, deliveries: 0 };
  for (;;) {
    const t = await evaluateOneRule(pool, now, presence, alerts, incidents);
    if (t === null) return result;
    result.rules += 1;
    result.fired += t.fired.length;
    result.resolved += t.resolved.length;
    result.deliveries += t.deliveries;
  }
}
