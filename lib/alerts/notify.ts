// Tells every app instance's stream hub (lib/stream/hub.ts) that alerts
// changed, so open browsers update the bell and the Alerts page live.
import "server-only";
import type pg from "pg";

export const ALERTS_CHANNEL = "fleet_alerts";

export interface AlertsNotice {
  /** Firing alerts that were not silenced, as the bell counts them. */
  firing: number;
}

/** Sent inside the transaction that changed alerts: it reaches listeners only if that commits. */
export async function notifyAlertsChanged(tx: pg.PoolClient | pg.Pool): Promise<void> {
  await tx.query(
    `SELECT pg_notify($1, json_build_object('firing',
       (SELECT count(*) FROM alert WHERE state = 'firing' AND NOT silenced))::text)`,
    [ALERTS_CHANNEL],
  );
}

export function parseAlertsPayload(text: string | undefined): AlertsNotice {
  try {
    const value = JSON.parse(text ?? "") as { firing?: unknown };
    if (typeof value.firing === "number") return { firing: value.firing };
  } catch {
    // Malformed: the browser refetches anyway.
  }
  return { firing: -1 };
}
