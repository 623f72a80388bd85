// Drains the outbox. A delivery is claimed with a lease (FOR UPDATE SKIP
// LOCKED, then next_attempt_at pushed past the send timeout) in its own short
// transaction, so no two instances send it at once, and an instance killed
// mid-send leaves it to be sent again, with the same deliveryId and body,
// once the lease runs out: at least once, never lost.
import "server-only";
import type pg from "pg";
import { nextAttemptAt } from "./backoff";
import { notifyAlertsChanged } from "./notify";
import { sendToChannel, type ChannelRow } from "./channels";
import type { AlertsConfig } from "./config";

interface ClaimedDelivery {
  id: string;
  body: string;
  attempts: number;
  created_at: Date;
  channel: ChannelRow;
}

/**
 * How long a claimed delivery is held: twice the send timeout and a second,
 * so a live sender always records its attempt first; after that, an
 * instance that died mid-send has its delivery taken over.
 */
export const leaseMs = (config: AlertsConfig) => 2 * config.sendTimeoutMs + 1_000;

async function claim(
  pool: pg.Pool,
  limit: number,
  config: AlertsConfig,
): Promise<ClaimedDelivery[]> {
  const { rows } = await pool.query<ClaimedDelivery>(
    `WITH due AS (
       SELECT id FROM alert_delivery
        WHERE state = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT $1
        FOR UPDATE SKIP LOCKED)
     UPDATE alert_delivery d
        SET attempts = d.attempts + 1,
            next_attempt_at = now() + $2::float8 * interval '1 millisecond'
       FROM due, alert_channel ch
      WHERE d.id = due.id AND ch.id = d.channel_id
     RETURNING d.id, d.body, d.attempts, d.created_at, to_jsonb(ch) AS channel`,
    [limit, leaseMs(config)],
  );
  return rows.map((r) => ({
    ...r,
    channel: {
      ...r.channel,
      created_at: new Date(r.channel.created_at),
      updated_at: new Date(r.channel.updated_at),
    },
  }));
}

async function record(
  pool: pg.Pool,
  delivery: ClaimedDelivery,
  result: { ok: boolean; httpStatus: number | null; error: string | null },
  durationMs: number,
  config: AlertsConfig,
): Promise<void> {
  const now = Date.now();
  const next = result.ok
    ? null
    : nextAttemptAt(delivery.created_at.getTime(), now, delivery.attempts, config.maxRetryMs);
  const state = result.ok ? "sent" : next === null ? "failed" : "pending";
  await pool.query(
    `WITH attempt AS (
       INSERT INTO alert_delivery_attempt (delivery_id, duration_ms, ok, http_status, error)
       VALUES ($1, $2, $3, $4, $5))
     UPDATE alert_delivery
        SET state = $6, last_error = $5,
            sent_at = CASE WHEN $3 THEN now() END,
            next_attempt_at = COALESCE($7, next_attempt_at)
      WHERE id = $1`,
    [
      delivery.id,
      Math.round(durationMs),
      result.ok,
      result.httpStatus,
      result.error,
      state,
      next === null ? null : new Date(next),
    ],
  );
}

export interface SendResult {
  sent: number;
  failed: number;
}

/** Sends what is due now (up to `limit`, in parallel), recording each attempt. */
export async function sendDueDeliveries(
  pool: pg.Pool,
  config: AlertsConfig,
  limit = 50,
): Promise<SendResult> {
  const claimed = await claim(pool, limit, config);
  const outcomes = await Promise.all(
    claimed.map(async (delivery) => {
      const started = performance.now();
      const result = await sendToChannel(delivery.channel, delivery.body, config);
      await record(pool, delivery, result, performance.now() - started, config);
      return result.ok;
    }),
  );
  if (claimed.length > 0) await notifyAlertsChanged(pool);
  return {
    sent: outcomes.filter((ok) => ok).length,
    failed: outcomes.filter((ok) => !ok).length,
  };
}
