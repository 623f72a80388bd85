// Silences (GET|POST /api/alerts/silences): mute rules or a selector for a
// time window, with who and why. Alerts that fire while muted are recorded
// with `silenced: true` and sent to no channel.
import "server-only";
import { db } from "../db/client";
import { ServiceError } from "../errors";
import type { CreateSilenceBody } from "./schemas";
import { globToLike, type Selector } from "./selector";
import { notFoundUnlessUuid } from "./rules";

interface SilenceRow {
  id: string;
  selector: Selector | null;
  rule_ids: string[] | null;
  starts_at: Date;
  ends_at: Date;
  reason: string;
  author: string;
  created_at: Date;
}

export interface SilenceView {
  id: string;
  selector: Selector | null;
  ruleIds: string[];
  startsAt: string;
  endsAt: string;
  reason: string;
  author: string;
  createdAt: string;
  active: boolean;
}

function toView(r: SilenceRow, now: number): SilenceView {
  return {
    id: r.id,
    selector: r.selector,
    ruleIds: r.rule_ids ?? [],
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at.toISOString(),
    reason: r.reason,
    author: r.author,
    createdAt: r.created_at.toISOString(),
    active: r.starts_at.getTime() <= now && now < r.ends_at.getTime(),
  };
}

/** Silences not over for more than a week, newest first. */
export async function listSilences(): Promise<{ items: SilenceView[] }> {
  const { rows } = await db().pool.query<SilenceRow>(
    `SELECT * FROM alert_silence WHERE ends_at > now() - interval '7 days'
      ORDER BY created_at DESC, id LIMIT 500`,
  );
  const now = Date.now();
  return { items: rows.map((r) => toView(r, now)) };
}

export async function createSilence(body: CreateSilenceBody, author: string): Promise<SilenceView> {
  const pattern = body.selector?.clientIdPattern;
  const labelCount = Object.keys(body.selector?.labels ?? {}).length;
  const ruleIds = body.ruleIds ?? [];
  if (pattern === undefined && labelCount === 0 && ruleIds.length === 0) {
    throw new ServiceError(
      "invalid_body",
      "A silence needs selector.clientIdPattern, selector.labels or ruleIds: it must say what it mutes.",
    );
  }
  const startsAt = body.startsAt === undefined ? new Date() : new Date(body.startsAt);
  const endsAt = new Date(body.endsAt);
  if (endsAt.getTime() <= startsAt.getTime()) {
    throw new ServiceError("invalid_body", "endsAt: must be later than startsAt.");
  }
  const { rows } = await db().pool.query<SilenceRow>(
    `INSERT INTO alert_silence (selector, rule_ids, starts_at, ends_at, reason, author, client_id_like)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [
      body.selector === undefined ? null : JSON.stringify(body.selector),
      ruleIds,
      startsAt,
      endsAt,
      body.reason,
      author,
      pattern === undefined ? null : globToLike(pattern),
    ],
  );
  return toView(rows[0] as SilenceRow, Date.now());
}

/** Ends a silence now (DELETE /api/alerts/silences/{id}); it stays listed as over. */
export async function endSilence(id: string): Promise<SilenceView> {
  notFoundUnlessUuid(id, "silence");
  const { rows } = await db().pool.query<SilenceRow>(
    `UPDATE alert_silence SET ends_at = LEAST(ends_at, now()) WHERE id = $1 RETURNING *`,
    [id],
  );
  const row = rows[0];
  if (row === undefined) throw new ServiceError("not_found", `No silence '${id}'.`);
  return toView(row, Date.now());
}
