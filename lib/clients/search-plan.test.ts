// The fleet search (q, a substring of the client ID) reads the matching
// clients through the trigram index, not every client_state row: the list,
// the counts, the as-of views, exports and reports all build it with
// clientIdContainsSql.
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../db/client";
import { sql } from "../db/sql";
import { presenceConfig } from "../config";
import { resetDatabase } from "../../test/support/db";
import { clientsWhereSql, countClients } from "./list";

const CLIENTS = 200_000;

beforeEach(resetDatabase);

async function planOf(q: string): Promise<string> {
  const where = clientsWhereSql({ q }, new Date(), presenceConfig());
  const statement = sql`EXPLAIN (FORMAT JSON) SELECT count(*) FROM client_state cs WHERE ${where}`;
  const { rows } = await db().pool.query<{ "QUERY PLAN": unknown }>(
    statement.text,
    statement.values,
  );
  return JSON.stringify(rows[0]!["QUERY PLAN"]);
}

describe("the fleet search", () => {
  it("finds a substring through the trigram index", async () => {
    const pool = db().pool;
    await pool.query(`
      INSERT INTO client_state (client_id, last_event_at, first_event_at)
      SELECT 'dev-g' || (g % 10) || '-' || lpad(g::text, 7, '0'), now(), now()
        FROM generate_series(1, ${CLIENTS}) g`);
    await pool.query("ANALYZE client_state");
    const plan = await planOf("012345");
    expect(plan).toContain('"Index Name":"client_state_client_id_trgm_idx"');
    expect(plan).not.toContain('"Node Type":"Seq Scan"');
    // LIKE's wildcards typed in the search are matched literally, still by the index.
    expect(await planOf("g1_00")).toContain('"Index Name":"client_state_client_id_trgm_idx"');
    // The answers through the index: 0012345 and 0123450-0123459; the
    // escaped underscore matches only itself, and no client ID has one.
    expect((await countClients({ q: "012345" })).total).toBe(11);
    expect((await countClients({ q: "g1_00" })).total).toBe(0);
  });
});
