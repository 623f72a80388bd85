// The online rollup's per-batch statement looks up each client's open
// connections by client, whatever the statistics say of open connections:
// taken while hardly any was open (after a mass disconnect), they made the
// planner walk every open connection of the fleet once per client, and hash
// every online client's state row once per batch, as the fleet reconnected.
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../db/client";
import { sql } from "../db/sql";
import { resetDatabase } from "../../test/support/db";
import { rebuildOnlineRollup } from "./online-rollup";
import { onlineBeforeCtes } from "./online-rollup-sql";

const CLIENTS = 2_000;

beforeEach(resetDatabase);

describe("the online rollup's batch statement", () => {
  it("probes open connections per client after statistics saw none open", async () => {
    const pool = db().pool;
    await rebuildOnlineRollup(pool, []);
    // A fleet that had all disconnected when the table was analysed...
    await pool.query(`
      INSERT INTO connection (client_id, session_identifier, version_number, connected_at, disconnected_at)
      SELECT 'plan-' || g, 's0', 0, now() - interval '2 hours', now() - interval '1 hour'
        FROM generate_series(1, ${CLIENTS}) g`);
    await pool.query(`
      INSERT INTO client_state (client_id, session_identifier, version_number, connected_at,
          disconnected_at, last_event_at, first_event_at, first_seen_at, updated_at)
      SELECT client_id, session_identifier, version_number, connected_at, disconnected_at,
             disconnected_at, connected_at, now(), now() FROM connection`);
    await pool.query("ANALYZE connection, client_state");
    // ...and reconnected since.
    await pool.query(`
      INSERT INTO connection (client_id, session_identifier, version_number, connected_at)
      SELECT 'plan-' || g, 's1', 1, now() FROM generate_series(1, ${CLIENTS}) g`);
    await pool.query(`
      UPDATE client_state SET session_identifier = 's1', version_number = 1,
             connected_at = now(), disconnected_at = NULL`);
    const ids = Array.from({ length: 500 }, (_, i) => `plan-${i + 1}`);
    const keys = sql`(SELECT c AS client_id, 's1'::text AS session_identifier, 1::bigint AS version_number
                        FROM unnest(${ids}::text[]) AS c)`;
    const statement = sql`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
      WITH ${onlineBeforeCtes(keys, ids)} SELECT (SELECT count(*) FROM span_keys)`;
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL jit = off");
      const { rows } = await client.query<{ "QUERY PLAN": [{ Plan: unknown }] }>(
        statement.text,
        statement.values,
      );
      const plan = JSON.stringify(rows[0]!["QUERY PLAN"]);
      const hits = (rows[0]!["QUERY PLAN"][0].Plan as { "Shared Hit Blocks": number })[
        "Shared Hit Blocks"
      ];
      // Neither every open connection nor every online client's state row.
      expect(plan).not.toContain('"Index Cond":"(disconnected_at IS NULL)"');
      expect(plan).not.toMatch(
        /"Relation Name":"client_state"[^}]*"Plan Rows"[^}]*"Actual Rows":[0-9]{4}/,
      );
      // A few blocks per client and key, not the whole open range per client.
      expect(hits).toBeLessThan(ids.length * 20);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });
});
