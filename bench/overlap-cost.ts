// What ingest's overlap CTEs (lib/clients/overlap-sql.ts, overlapApplyCtes)
// cost alone, per 500-event batch: bench/profile-rollups.ts measures them
// inside the rollups' statement, where a few milliseconds drown in the
// run-to-run spread of the rest. On a copy of a kept profile history (HIST,
// made by `KEEP=1 bench/profile-rollups.ts` with the same CLIENTS and
// CYCLES), stores the same batches as profile-rollups without rollups, and
// after each runs `WITH ev AS (…), <overlap CTEs> SELECT …` (and the probe
// statement for the clients those leave, if any) REPEAT times (rolled
// back), reporting the backend's CPU time (plan and run, from
// /proc/<pid>/schedstat; the planning alone from an EXPLAIN of it). BASE=<another checkout> runs its overlapApplyCtes
// too, alternating with this one's on the same state, to compare two
// versions; EXPLAIN=1 writes each version's EXPLAIN (ANALYZE, BUFFERS) of
// each batch to OUT.
//   HIST=fleet_profile_hist CLIENTS=100000 DATABASE_URL=… \
//     npx tsx --conditions=react-server bench/overlap-cost.ts
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { presenceConfig } from "../lib/config";
import { parseItems } from "../lib/ingest/parse";
import { storeBatch } from "../lib/ingest/store";
import { startPgServer, withClient } from "./lib/database";
import { batches, lifecycleHistory } from "./lib/workload";

const clients = Number(process.env.CLIENTS ?? 20_000);
const cycles = Number(process.env.CYCLES ?? 2);
const repeat = Number(process.env.REPEAT ?? 5);
const hist = process.env.HIST;
const explain = process.env.EXPLAIN === "1";
const out = process.env.OUT ?? "/tmp/overlap-plans.txt";
if (!hist) throw new Error("HIST: a kept profile history (KEEP=1 bench/profile-rollups.ts)");
const perPhase = clients / 500;
// profile-rollups' picks: connect, subscribe and disconnect phases.
const picks = [
  ...[0, 1, 2, 3, 4, 5, 6, 7],
  perPhase,
  perPhase + 1,
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => 2 * perPhase + i),
];

interface SqlModule {
  sql: ((
    strings: TemplateStringsArray,
    ...values: unknown[]
  ) => { text: string; values: unknown[] }) & {
    raw: (text: string) => unknown;
  };
}
interface OverlapModule {
  overlapApplyCtes: (keys: unknown) => unknown;
  /** Since the overlap rows' second statement: the clients the first left (`ov_slow`). */
  overlapProbeStatement?: (keys: string) => { text: string; values: unknown[] };
}

/**
 * The statements rollupsAfter would run for the overlap rows alone, from a
 * checkout's modules: the CTEs, then the probe statement if they left any
 * client to it.
 */
async function statementOf(root: string) {
  const { sql } = (await import(path.join(root, "lib/db/sql.ts"))) as SqlModule;
  const { overlapApplyCtes, overlapProbeStatement } = (await import(
    path.join(root, "lib/clients/overlap-sql.ts")
  )) as OverlapModule;
  const result = sql.raw(overlapProbeStatement ? "(SELECT keys FROM ov_slow)" : "'[]'");
  // As lib/ingest/rollups.ts's eventsRelation.
  return {
    first: (events: string) => sql`WITH ev AS (
  SELECT x.client_id, x.session_identifier, x.version_number, x.event_type,
         to_timestamp(x.at / 1000.0) AS at
    FROM jsonb_to_recordset(${events}::jsonb)
      AS x(client_id text, session_identifier text, version_number bigint, event_type text, at float8)
), ${overlapApplyCtes(sql`ev`)} SELECT ${result} AS slow`,
    probe: overlapProbeStatement,
  };
}

const log = (s: string) => console.log(s);
const cpuNs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]);

const versions: [string, Awaited<ReturnType<typeof statementOf>>][] = [
  ["this", await statementOf(path.resolve(import.meta.dirname, ".."))],
];
if (process.env.BASE) versions.push(["base", await statementOf(path.resolve(process.env.BASE))]);

const server = await startPgServer(log);
const copy = `${hist}_overlap_${Date.now() % 100000}`;
try {
  await withClient(server.url, (c) => c.query(`CREATE DATABASE "${copy}" TEMPLATE "${hist}"`));
  const url = new URL(server.url);
  url.pathname = `/${copy}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  pool.on("error", (e) => log(`pool: ${e.message}`));
  const config = presenceConfig();
  const now = Date.now();
  const all = batches([...lifecycleHistory(clients * 3 * (cycles + 1), clients)], 500);
  const first = (clients * 3 * cycles) / 500;
  const times = new Map<string, number[]>(versions.map(([name]) => [name, []]));
  const planTimes = new Map<string, number[]>(versions.map(([name]) => [name, []]));
  const plans: string[] = [];
  let probes = 0;
  for (const pick of picks) {
    const batch = parseItems(all[first + pick]!, now);
    await storeBatch(pool, batch.accepted, batch.rejected, new Date(), config, {
      availability: false,
      online: false,
    });
    const events = JSON.stringify(
      batch.accepted
        .map((a) => a.event)
        .filter((e) => e.eventType === "connected" || e.eventType === "disconnected")
        .map((e) => ({
          client_id: e.clientId,
          session_identifier: e.sessionIdentifier,
          version_number: e.versionNumber,
          event_type: e.eventType,
          at: e.timestamp,
        })),
    );
    if (events === "[]") continue;
    const c = await pool.connect();
    try {
      const pid = (await c.query<{ p: number }>("SELECT pg_backend_pid() AS p")).rows[0]!.p;
      const line: string[] = [];
      for (let i = 0; i < repeat; i += 1) {
        for (const [name, statement] of versions) {
          const s = statement.first(events);
          await c.query("BEGIN");
          const t0 = cpuNs(pid);
          const { rows } = await c.query<{ slow: string }>(s.text, s.values);
          if (rows[0]!.slow !== "[]" && statement.probe) {
            const p = statement.probe(rows[0]!.slow);
            await c.query(p.text, p.values);
            probes += 1;
          }
          const ms = (cpuNs(pid) - t0) / 1e6;
          await c.query("ROLLBACK");
          times.get(name)!.push(ms);
          const t1 = cpuNs(pid);
          await c.query(`EXPLAIN ${s.text}`, s.values);
          planTimes.get(name)!.push((cpuNs(pid) - t1) / 1e6);
          if (i === repeat - 1) line.push(`${name} ${ms.toFixed(2)}`);
          if (explain && i === 0) {
            await c.query("BEGIN");
            const r = await c.query<{ "QUERY PLAN": string }>(
              `EXPLAIN (ANALYZE, BUFFERS) ${s.text}`,
              s.values,
            );
            await c.query("ROLLBACK");
            plans.push(
              `==== ${name}, batch ${pick}\n${r.rows.map((x) => x["QUERY PLAN"]).join("\n")}`,
            );
          }
        }
      }
      log(`batch ${pick}: ${line.join(", ")} ms (last of ${repeat})`);
    } finally {
      c.release();
    }
  }
  await pool.end();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [name, xs] of times)
    log(
      `${name}: median ${median(xs).toFixed(2)} ms, mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2)} ms per batch (${xs.length} runs), of which planning: median ${median(planTimes.get(name)!).toFixed(2)} ms`,
    );
  log(`probe statements run: ${probes}`);
  if (explain) writeFileSync(out, plans.join("\n\n"));
} catch (error) {
  log(`FAILED: ${(error as Error).stack}`);
} finally {
  await withClient(server.url, (c) => c.query(`DROP DATABASE IF EXISTS "${copy}" WITH (FORCE)`));
  await server.stop();
}
