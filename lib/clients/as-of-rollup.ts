// The fleet's counts at a past moment T without reading every client
// (docs/model.md, "The fleet at a past moment"): the online chart's rollup
// counts the connection spans covering each minute instant; from the minute
// m0 at or before T, three corrections make it the number of clients online
// at T exactly:
//
// - the clients with a connect or disconnect event in (m0, T]: only their
//   spans can cover one of m0 and T and not the other (a span's start is its
//   connect, its end its disconnect or the next connection's time), so their
//   spans are recounted at both;
// - the clients with two spans covering T (a client is online once, however
//   many of its connections cover T): lib/clients/overlap-sql.ts keeps where
//   that can happen, and those clients count once;
// - `total` is the rollup's fleet less the clients first seen after T (an
//   index range).
//
// Used for the unfiltered fleet while the rollup is built for this
// process's infrastructure globs and the event history reaches back to m0
// (retention deletes old events; connections stay); otherwise null, and
// countClientsAsOf scans. lib/clients/as-of-rollup.test.ts holds it to the scan.
import "server-only";
import { db } from "../db/client";
import { sql } from "../db/sql";
import type { PresenceConfig } from "../presence/types";
import { rollupLikes } from "../stats/online-rollup";
import { coversSql, flappingAtSql } from "./as-of-sql";
import { fleetMemberSql } from "./infrastructure";
import { neverSeenCountSql } from "./never-seen";
import type { Counts } from "./schemas";

const MINUTE_MS = 60_000;

export async function countsAsOfFromRollup(
  t: Date,
  config: PresenceConfig,
): Promise<Counts | null> {
  const m0 = new Date(Math.floor(t.getTime() / MINUTE_MS) * MINUTE_MS);
  const member = (column: string) => fleetMemberSql(sql.raw(column));
  const q = sql`
    WITH st AS (SELECT clients FROM online_rollup_state
                 WHERE id = 1 AND infrastructure_likes = ${rollupLikes()}::text[]),
    at_m0 AS (SELECT -COALESCE(sum(starts - ends), 0)::int AS spans
                FROM online_minute WHERE minute > ${m0}::timestamptz),
    cand AS (
      SELECT e.client_id FROM lifecycle_event e
       WHERE e.event_at > ${m0}::timestamptz AND e.event_at <= ${t}::timestamptz
         AND e.event_type IN ('connected', 'disconnected')
      UNION
      SELECT o.client_id FROM presence_overlap o
       WHERE o.ends_at > ${t}::timestamptz AND o.starts_at <= ${t}::timestamptz
    ),
    recount AS (
      SELECT count(*) FILTER (WHERE ${coversSql("c", t)})::int AS at_t,
             count(*) FILTER (WHERE ${coversSql("c", m0)})::int AS at_m0
        FROM cand k JOIN connection c ON c.client_id = k.client_id
       WHERE ${member("k.client_id")}
       GROUP BY k.client_id
    ),
    later AS (SELECT count(*)::int AS n FROM client_state cs
               WHERE cs.first_event_at > ${t}::timestamptz AND ${member("cs.client_id")})
    SELECT (SELECT clients FROM st) - (SELECT n FROM later) AS total,
           (SELECT spans FROM at_m0)
             + (SELECT COALESCE(sum(at_t - at_m0), 0) - COALESCE(sum(GREATEST(at_t - 1, 0)), 0) FROM recount)::int
             AS online,
           (SELECT count(*) FROM (${flappingAtSql(t, config)}) f WHERE ${member("f.client_id")})::int AS flapping,
           (SELECT n FROM later) + ${neverSeenCountSql()} AS "neverSeen"
     WHERE EXISTS (SELECT 1 FROM st)
       -- Retention deletes events before a cutoff: the oldest kept one must precede m0.
       AND (SELECT min(event_at) FROM lifecycle_event) <= ${m0}::timestamptz`;
  const { rows } = await db().pool.query<Parameters<typeof pastCounts>[0]>(q.text, q.values);
  const row = rows[0];
  return row === undefined ? null : pastCounts(row);
}

/** The counts of a past moment from what was counted: no `pending` then, the rest offline. */
export function pastCounts(counted: {
  total: number;
  online: number;
  flapping: number;
  neverSeen: number;
}): Counts {
  const { total, online, flapping, neverSeen } = counted;
  return { online, pending: 0, offline: total - online, total, flapping, neverSeen };
}
