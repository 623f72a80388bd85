// Database helpers of the alert tests.
import { db } from "../../lib/db/client";

/** Empties every alert table (rules, channels, silences and what hangs off them). */
export async function resetAlerts(): Promise<void> {
  await db().pool.query(
    `TRUNCATE alert_rule, alert_channel, alert_silence, alert, alert_delivery, alert_delivery_attempt RESTART IDENTITY CASCADE`,
  );
}

/** Inserts a rule directly (the API's validation is tested on its own); returns its id. */
export async function insertRule(rule: {
  name?: string;
  kind: string;
  forSeconds?: number;
  threshold?: number | null;
  thresholdShare?: number | null;
  windowSeconds?: number | null;
  clientIdPattern?: string;
  channelIds?: string[];
}): Promise<string> {
  const selector =
    rule.clientIdPattern === undefined ? {} : { clientIdPattern: rule.clientIdPattern };
  const { rows } = await db().pool.query<{ id: string }>(
    `INSERT INTO alert_rule (name, kind, selector, for_seconds, threshold, threshold_share, window_seconds, channel_ids)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      rule.name ?? `${rule.kind} rule`,
      rule.kind,
      JSON.stringify(selector),
      rule.forSeconds ?? 0,
      rule.threshold ?? null,
      rule.thresholdShare ?? null,
      rule.windowSeconds ?? null,
      rule.channelIds ?? [],
    ],
  );
  return (rows[0] as { id: string }).id;
}

export interface StoredAlert {
  clientId: string | null;
  episode: string;
  startedAt: number;
  resolvedAt: number | null;
}

/** Every alert of a rule, in the order sortRecords gives. */
export async function storedAlerts(ruleId: string): Promise<StoredAlert[]> {
  const { rows } = await db().pool.query<{
    client_id: string | null;
    episode: string;
    started_at: Date;
    resolved_at: Date | null;
  }>(`SELECT client_id, episode, started_at, resolved_at FROM alert WHERE rule_id = $1`, [ruleId]);
  return rows
    .map((r) => ({
      clientId: r.client_id,
      episode: r.episode,
      startedAt: r.started_at.getTime(),
      resolvedAt: r.resolved_at?.getTime() ?? null,
    }))
    .sort((a, b) =>
      `${a.clientId}\u0000${a.episode}` < `${b.clientId}\u0000${b.episode}` ? -1 : 1,
    );
}
