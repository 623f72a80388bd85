// The SQL of labels in fleet reads: the `label=key:value` filter and the
// labels column of a client object.
import type { LabelFilter } from "../../contract/labels";
import { sql, type Sql } from "../db/sql";

/**
 * `column` carries every label of `filters` (none: TRUE). Each filter is an
 * IN over the (key, value, client_id) index, so a label that few clients
 * carry is read from the index rather than tested row by row.
 */
export function labelFilterSql(column: Sql, filters: readonly LabelFilter[] | undefined): Sql {
  if (filters === undefined || filters.length === 0) return sql.raw("TRUE");
  return sql.join(
    filters.map(
      (f) =>
        sql`${column} IN (SELECT l.client_id FROM client_label l WHERE l.key = ${f.key} AND l.value = ${f.value})`,
    ),
    " AND ",
  );
}

/**
 * The labels of `column`'s client as a JSON object (`{}` when none), from
 * client_label_set: one row per labelled client, kept by client_label's
 * triggers (migration 20261212100000_client_label_set).
 */
export function labelsColumnSql(column: Sql): Sql {
  return sql`COALESCE((SELECT lbs.labels FROM client_label_set lbs WHERE lbs.client_id = ${column}), '{}'::jsonb)`;
}
