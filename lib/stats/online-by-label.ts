// The online chart split by one label key (`site`: one series per site), for
// the fleet page's label facet. One pass over the range's connections, each
// span counted under its client's value of the key: the same spans and
// sample rule as the fleet's chart (online-history.ts), so each series equals
// the chart filtered by that `key:value`, which the test holds it to.
import "server-only";
import { fleetMemberSql } from "../clients/infrastructure";
import { db } from "../db/client";
import { sql } from "../db/sql";
import { FACET_VALUES } from "../labels/facet";
import { labelFilterSql } from "../labels/filter-sql";
import {
  deltasOf,
  historyBefore,
  historyWindow,
  samplePoints,
  spanPairsSql,
  type SpanPair,
} from "./online-history";
import type { OnlineByLabel, OnlineByLabelQuery } from "./schemas";

/** A line for every value the facet lists: its most common values. */
export const BY_LABEL_SERIES = FACET_VALUES;

export async function onlineByLabel(
  query: OnlineByLabelQuery,
  now = new Date(),
): Promise<OnlineByLabel> {
  const { from, to, stepMs, steps } = historyWindow(query.range, now);
  const id = sql.raw("l.client_id");
  // The label facet's order: most clients carrying the value first, then by value.
  const top = sql`SELECT l.value FROM client_label l
     WHERE l.key = ${query.key} AND ${fleetMemberSql(id)} AND ${labelFilterSql(id, query.label)}
     GROUP BY l.value ORDER BY count(*) DESC, l.value LIMIT ${BY_LABEL_SERIES}`;
  const values = (await db().pool.query<{ value: string }>(top.text, top.values)).rows.map(
    (r) => r.value,
  );
  const byValue = new Map<string, SpanPair[]>(values.map((v) => [v, []]));
  if (values.length > 0) {
    const pairs = spanPairsSql(new Date(from), new Date(to), stepMs / 1000, query.label, {
      key: query.key,
      values,
    });
    const { rows } = await db().pool.query<SpanPair>(pairs.text, pairs.values);
    for (const row of rows) byValue.get(row.g!)?.push(row);
  }
  const series = values.map((value) => {
    const deltas = deltasOf(byValue.get(value)!);
    return { value, points: samplePoints(from, stepMs, steps, deltas), first: deltas.firstSample };
  });
  // As the fleet's chart: samples before any recorded history are left out.
  const before = await historyBefore(from);
  const firstSample =
    series.length === 0 ? Infinity : before ? 0 : Math.min(...series.map((s) => s.first));
  return {
    range: query.range,
    key: query.key,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    stepSeconds: stepMs / 1000,
    dataFrom: Number.isFinite(firstSample)
      ? new Date(from + firstSample * stepMs).toISOString()
      : null,
    series: series.map(({ value, points }) => ({ value, points })),
  };
}
