// Database helpers of the alert tests.
import { expect } from "vitest";
import { alertsConfig } from "../../lib/alerts/config";
import { evaluateRules } from "../../lib/alerts/evaluate";
import { presenceConfig } from "../../lib/config";
import { db } from "../../lib/db/client";
import { ingest } from "../../lib/ingest";
import type { LifecycleEvent } from "../../lib/presence/types";
import type { TwoBursts } from "./alert-simulation";
import { resetDatabase } from "./db";
import { connected, disconnected, envelope, eventEnvelope } from "./events";

/** Empties every alert table (rules, channels, silences and what hangs off them). */
export async function resetAlerts(): Promise<void> {
  await db().pool.query(
    `TRUNCATE alert_rule, alert_channel, alert_silence, alert, alert_delivery, alert_delivery_attempt RESTART IDENTITY CASCADE`,
  );
}

/** Empties the presence and the alert tables: a fresh start for each test or property run. */
export async function resetPresenceAndAlerts(): Promise<void> {
  await resetDatabase();
  await resetAlerts();
}

/** Ingests normalised events received at `at`; every one must be accepted. */
export async function ingestAt(events: readonly LifecycleEvent[], at: number): Promise<void> {
  if (events.length === 0) return;
  const result = await ingest(JSON.stringify(events.map(eventEnvelope)), new Date(at));
  expect(result.rejected).toEqual([]);
}

/** One scheduler pass at `at`, with the configuration of the environment. */
export const evaluateAt = (at: number) =>
  evaluateRules(db().pool, new Date(at), presenceConfig(), alertsConfig({} as NodeJS.ProcessEnv));

/** The two bursts of a history: what is received at r1 (nothing when r1 = r2), the rest at r2. */
export function splitBursts({ received, r1, r2 }: Pick<TwoBursts, "received" | "r1" | "r2">) {
  const first = received.filter((r) => r.receivedAt === r1 && r1 !== r2);
  const second = received.filter((r) => !first.includes(r));
  return { first: first.map((r) => r.event), second: second.map((r) => r.event) };
}

/**
 * Steps through `ticks` as the scheduler would see them: ingests the first
 * burst at the first tick at or past r1, the second at the first at or past
 * r2, and evaluates every rule at each tick. `beforeTick` runs first at each
 * (to change labels between passes, say).
 */
export async function evaluateThroughTicks(
  bursts: {
    first: readonly LifecycleEvent[];
    r1: number;
    second: readonly LifecycleEvent[];
    r2: number;
  },
  ticks: readonly number[],
  beforeTick: (tick: number) => Promise<void> = async () => {},
): Promise<void> {
  let firstDone = false;
  let secondDone = false;
  for (const tick of ticks) {
    await beforeTick(tick);
    if (!firstDone && tick >= bursts.r1) {
      await ingestAt(bursts.first, bursts.r1);
      firstDone = true;
    }
    if (!secondDone && tick >= bursts.r2) {
      await ingestAt(bursts.second, bursts.r2);
      secondDone = true;
    }
    await evaluateAt(tick);
  }
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
  labels?: Record<string, string>;
  channelIds?: string[];
}): Promise<string> {
  const selector = {
    ...(rule.clientIdPattern === undefined ? {} : { clientIdPattern: rule.clientIdPattern }),
    ...(rule.labels === undefined ? {} : { labels: rule.labels }),
  };
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

/** Inserts a channel directly; returns its id. */
export async function insertChannel(channel: {
  type: string;
  url?: string | null;
  secret?: string | null;
  emailTo?: string | null;
  name?: string;
}): Promise<string> {
  const { rows } = await db().pool.query<{ id: string }>(
    `INSERT INTO alert_channel (name, type, url, secret, email_to) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [
      channel.name ?? `${channel.type} channel`,
      channel.type,
      channel.url ?? null,
      channel.secret ?? null,
      channel.emailTo ?? null,
    ],
  );
  return (rows[0] as { id: string }).id;
}

/**
 * Makes each client connect and drop `agoMs` before now (received then), so
 * a client_offline rule with a short forSeconds is due at once.
 */
export async function dropClients(clientIds: readonly string[], agoMs = 200_000): Promise<void> {
  const at = Date.now() - agoMs;
  const events = clientIds.flatMap((id) => [
    envelope(connected(id, at - 1000, 1)),
    envelope(disconnected(id, at, 1)),
  ]);
  for (let i = 0; i < events.length; i += 5000) {
    const result = await ingest(JSON.stringify(events.slice(i, i + 5000)), new Date(at));
    if (result.rejected.length > 0) throw new Error(JSON.stringify(result.rejected[0]));
  }
}

/** Reconnects each client now (a higher version). */
export async function reconnectClients(clientIds: readonly string[]): Promise<void> {
  const now = Date.now();
  const events = clientIds.map((id) => envelope(connected(id, now, 2)));
  for (let i = 0; i < events.length; i += 5000) {
    await ingest(JSON.stringify(events.slice(i, i + 5000)), new Date(now));
  }
}

export interface DeliveryRow {
  id: string;
  status: string;
  state: string;
  attempts: number;
  last_error: string | null;
  body: string;
}

export async function deliveries(): Promise<DeliveryRow[]> {
  const { rows } = await db().pool.query<DeliveryRow>(
    `SELECT id, status, state, attempts, last_error, body FROM alert_delivery ORDER BY created_at, id`,
  );
  return rows;
}

/**
 * Makes every pending delivery due (instead of waiting out its backoff). A
 * second in the past: now() stored at millisecond precision may round up,
 * past the next claim's own now().
 */
export async function makeDeliveriesDue(): Promise<void> {
  await db().pool.query(
    `UPDATE alert_delivery SET next_attempt_at = now() - interval '1 second' WHERE state = 'pending'`,
  );
}
