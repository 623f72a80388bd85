// Alert rules: list, create, change, delete (GET|POST /api/alerts/rules, PATCH|DELETE /{id}).
import "server-only";
import { db } from "../db/client";
import { ServiceError } from "../errors";
import type { RuleRow } from "./rule-row";
import type { CreateRuleBody, PatchRuleBody } from "./schemas";
import { checkRule } from "./validate";

export interface RuleView {
  id: string;
  name: string;
  kind: RuleRow["kind"];
  selector: RuleRow["selector"];
  forSeconds: number;
  threshold: number | null;
  thresholdShare: number | null;
  windowSeconds: number | null;
  channelIds: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

function toView(r: RuleRow): RuleView {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    selector: r.selector,
    forSeconds: r.for_seconds,
    threshold: r.threshold,
    thresholdShare: r.threshold_share,
    windowSeconds: r.window_seconds,
    channelIds: r.channel_ids,
    enabled: r.enabled,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A rule ID from the path: anything but a UUID is simply not found. */
export function notFoundUnlessUuid(id: string, what: string): void {
  if (!UUID.test(id)) throw new ServiceError("not_found", `No ${what} '${id.slice(0, 100)}'.`);
}

async function checkChannels(ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const { rows } = await db().pool.query<{ id: string }>(
    `SELECT id FROM alert_channel WHERE id = ANY ($1::uuid[])`,
    [ids],
  );
  const known = new Set(rows.map((r) => r.id));
  const missing = ids.find((id) => !known.has(id.toLowerCase()));
  if (missing !== undefined)
    throw new ServiceError("invalid_body", `channelIds: no channel '${missing}'.`);
}

export async function listRules(): Promise<{ items: RuleView[] }> {
  const { rows } = await db().pool.query<RuleRow>(
    `SELECT * FROM alert_rule ORDER BY created_at, id`,
  );
  return { items: rows.map(toView) };
}

export async function createRule(body: CreateRuleBody): Promise<RuleView> {
  checkRule(body);
  await checkChannels(body.channelIds);
  const { rows } = await db().pool.query<RuleRow>(
    `INSERT INTO alert_rule (name, kind, selector, for_seconds, threshold, threshold_share,
                             window_seconds, channel_ids, enabled)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [
      body.name,
      body.kind,
      JSON.stringify(body.selector),
      body.forSeconds,
      body.threshold,
      body.thresholdShare,
      body.windowSeconds,
      body.channelIds,
      body.enabled,
    ],
  );
  return toView(rows[0] as RuleRow);
}

export async function updateRule(id: string, patch: PatchRuleBody): Promise<RuleView> {
  notFoundUnlessUuid(id, "rule");
  const { rows } = await db().pool.query<RuleRow>(`SELECT * FROM alert_rule WHERE id = $1`, [id]);
  const current = rows[0];
  if (current === undefined) throw new ServiceError("not_found", `No rule '${id}'.`);
  const next = {
    name: patch.name ?? current.name,
    kind: patch.kind ?? current.kind,
    selector: patch.selector ?? current.selector,
    forSeconds: patch.forSeconds ?? current.for_seconds,
    threshold: patch.threshold === undefined ? current.threshold : patch.threshold,
    thresholdShare:
      patch.thresholdShare === undefined ? current.threshold_share : patch.thresholdShare,
    windowSeconds: patch.windowSeconds === undefined ? current.window_seconds : patch.windowSeconds,
    channelIds: patch.channelIds ?? current.channel_ids,
    enabled: patch.enabled ?? current.enabled,
  };
  checkRule(next);
  await checkChannels(next.channelIds);
  // A changed rule is evaluated afresh over every client (evaluated_until = NULL).
  const updated = await db().pool.query<RuleRow>(
    `UPDATE alert_rule SET name = $2, kind = $3, selector = $4, for_seconds = $5, threshold = $6,
            threshold_share = $7, window_seconds = $8, channel_ids = $9, enabled = $10,
            evaluated_until = NULL, updated_at = now()
      WHERE id = $1 RETURNING *`,
    [
      id,
      next.name,
      next.kind,
      JSON.stringify(next.selector),
      next.forSeconds,
      next.threshold,
      next.thresholdShare,
      next.windowSeconds,
      next.channelIds,
      next.enabled,
    ],
  );
  const row = updated.rows[0];
  if (row === undefined) throw new ServiceError("not_found", `No rule '${id}'.`);
  return toView(row);
}

/** Deletes a rule with its alerts and their deliveries (history goes with it). */
export async function deleteRule(id: string): Promise<{ deleted: true }> {
  notFoundUnlessUuid(id, "rule");
  const result = await db().pool.query(`DELETE FROM alert_rule WHERE id = $1`, [id]);
  if (result.rowCount === 0) throw new ServiceError("not_found", `No rule '${id}'.`);
  return { deleted: true };
}
