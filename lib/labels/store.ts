// Reading and writing client_label. Every write replaces a client's whole
// label set inside one transaction, with set-based SQL (arrays unnested), so
// an import of 100,000 rows is three statements, not 100,000.
import "server-only";
import type pg from "pg";
import type { Labels } from "../../contract/labels";
import { db } from "../db/client";
import { LABELS_CHANGED_SQL } from "../alerts/evaluate-sql";
import { sql } from "../db/sql";
import { inTransaction } from "../db/transaction";
import { LOCK_BATCH_SQL } from "../ingest/store-sql";
import { labelCountShiftSql } from "./counts-sql";

/** The labels of one client ID ({} when it has none: labels may exist before any event). */
export async function getLabels(clientId: string): Promise<Labels> {
  const q = sql`SELECT key, value FROM client_label WHERE client_id = ${clientId} ORDER BY key`;
  const result = await db().pool.query<{ key: string; value: string }>(q.text, q.values);
  return Object.fromEntries(result.rows.map((r) => [r.key, r.value]));
}

/** The labels of many client IDs (those without any are absent from the map). */
export async function labelsOfClients(clientIds: readonly string[]): Promise<Map<string, Labels>> {
  const q = sql`SELECT client_id, key, value FROM client_label
                 WHERE client_id = ANY(${clientIds}::text[])`;
  const result = await db().pool.query<{ client_id: string; key: string; value: string }>(
    q.text,
    q.values,
  );
  const out = new Map<string, Labels>();
  for (const row of result.rows) {
    const labels = out.get(row.client_id) ?? {};
    labels[row.key] = row.value;
    out.set(row.client_id, labels);
  }
  return out;
}

/** Replaces one client's labels with `labels` (validated by the caller); returns them. */
export async function setLabels(clientId: string, labels: Labels): Promise<Labels> {
  await replaceLabels(new Map([[clientId, labels]]));
  return getLabels(clientId);
}

/**
 * Replaces the labels of every client in `byClient` (and only those) in one
 * transaction: either every client gets its new set or none does.
 */
export async function replaceLabels(byClient: ReadonlyMap<string, Labels>): Promise<number> {
  const clientIds = [...byClient.keys()];
  const ids: string[] = [];
  const keys: string[] = [];
  const values: string[] = [];
  for (const [clientId, labels] of byClient) {
    for (const [key, value] of Object.entries(labels)) {
      ids.push(clientId);
      keys.push(key);
      values.push(value);
    }
  }
  return inTransaction(db().pool, async (client) => {
    // The clients' ingest buckets: no batch changes their state between the
    // label counters taken away and put back (lib/labels/counts-sql.ts).
    await client.query(LOCK_BATCH_SQL, [clientIds]);
    await run(client, labelCountShiftSql(clientIds, -1));
    await run(client, sql`DELETE FROM client_label WHERE client_id = ANY(${clientIds}::text[])`);
    await run(
      client,
      sql`INSERT INTO client_label (client_id, key, value)
          SELECT * FROM unnest(${ids}::text[], ${keys}::text[], ${values}::text[])`,
    );
    await run(client, labelCountShiftSql(clientIds, 1));
    await client.query(LABELS_CHANGED_SQL);
    return ids.length;
  });
}

async function run(client: pg.PoolClient, statement: ReturnType<typeof sql>): Promise<void> {
  await client.query(statement.text, statement.values);
}
