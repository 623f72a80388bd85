// When a client's history begins, in SQL: the one definition that both the
// fleet at a past moment (never_seen before it: lib/presence/as-of.ts) and
// availability (observed time starts there: lib/presence/availability.ts)
// read. Ingest writes it in one place, the client_state upsert
// (lib/ingest/store-sql.ts), with LEAST() so that arrival order and
// duplicates cannot move it.
import { sql, type Sql } from "../db/sql";

/**
 * The first event time of client_state row `cs`: its earliest event
 * timestamp of any type. A row without one (written by hand; ingest always
 * sets it and the migrations filled in older rows) counts as seen from the
 * start of time, by both readers alike.
 */
export function firstEventAtSql(cs: string): Sql {
  return sql.raw(`COALESCE(${cs}.first_event_at, '-infinity'::timestamptz)`);
}
