// What the alert suites set up alike: a webhook channel to a receiver, one
// client_offline rule sending to it, and the app's alerting settings.
import { withClient } from "./database";

/** The offline rule's forSeconds, and how often (seconds) the app evaluates the rules. */
export const FOR_S = 5;
export const EVAL_S = 1;

/** A webhook channel posting to `hookUrl` and a client_offline rule using it; the rule's id. */
export async function createOfflineRule(
  databaseUrl: string,
  options: { hookUrl: string; name: string; forSeconds: number },
): Promise<string> {
  return withClient(databaseUrl, async (c) => {
    const ch = await c.query<{ id: string }>(
      `INSERT INTO alert_channel (name, type, url, secret) VALUES ('bench', 'webhook', $1, 'k') RETURNING id`,
      [options.hookUrl],
    );
    const rule = await c.query<{ id: string }>(
      `INSERT INTO alert_rule (name, kind, for_seconds, channel_ids) VALUES ($1, 'client_offline', $2, $3) RETURNING id`,
      [options.name, options.forSeconds, [ch.rows[0]!.id]],
    );
    return rule.rows[0]!.id;
  });
}

/** The app's environment for an alert run: grace, evaluation every `evalSeconds`, incidents every second. */
export function alertingEnv(graceSeconds: number, evalSeconds: number): Record<string, string> {
  return {
    OFFLINE_GRACE_SECONDS: String(graceSeconds),
    ALERTS_EVAL_INTERVAL_SECONDS: String(evalSeconds),
    // The receiver listens on loopback.
    ALERTS_ALLOW_PRIVATE_TARGETS: "1",
    INCIDENT_DETECTION_INTERVAL_SECONDS: "1",
  };
}
