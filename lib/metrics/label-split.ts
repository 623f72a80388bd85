// The fleet_clients gauge split by client labels (METRICS_LABEL_KEYS). Each
// key is its own split, so the series stay as many as the key's values
// rather than the product of every key's values.
import "server-only";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { sql } from "../db/sql";
import { statusSql } from "../clients/client-row";
import { fleetMemberSql } from "../clients/infrastructure";
import { neverSeenWhereSql } from "../clients/never-seen";

export type SplitStatus = "online" | "pending" | "offline" | "never_seen";

export interface LabelSplitRow {
  key: string;
  value: string;
  status: SplitStatus;
  count: number;
}

/**
 * The Prometheus label name a client label key becomes: `label_` and the key
 * with `.`/`-` as `_` (Prometheus names allow letters, digits and `_` only;
 * the prefix keeps `status` and reserved `__` names out of the way).
 */
export function promLabelName(key: string): string {
  return `label_${key.replace(/[.-]/g, "_")}`;
}

/** Per key and value: clients by status, counted as GET /api/stats/summary?label=key:value counts them. */
export async function labelSplit(
  keys: readonly string[],
  now = new Date(),
): Promise<LabelSplitRow[]> {
  if (keys.length === 0) return [];
  const keyList = [...keys];
  const statement = sql`
    SELECT l.key, l.value, ${statusSql(now, presenceConfig())} AS status, count(*)::int AS count
      FROM client_label l JOIN client_state cs ON cs.client_id = l.client_id
     WHERE l.key = ANY(${keyList}::text[]) AND ${fleetMemberSql(sql.raw("cs.client_id"))}
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT l.key, l.value, 'never_seen', count(*)::int
      FROM never_seen_client n JOIN client_label l ON l.client_id = n.client_id
     WHERE l.key = ANY(${keyList}::text[]) AND ${neverSeenWhereSql()}
     GROUP BY 1, 2`;
  const { rows } = await db().pool.query<LabelSplitRow>(statement.text, statement.values);
  return rows;
}
