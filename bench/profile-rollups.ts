// Where a batch's database CPU goes, per statement and rollup variant (not a
// suite: a tool for working on lib/ingest's statements). Loads a history of
// CLIENTS clients × CYCLES connect/subscribe/disconnect cycles once (or
// reuses database HIST; KEEP=1 keeps it as fleet_profile_hist), then for
// each variant (VARIANTS: both,none,availability,online) runs the same
// batches (PICKS: indices after the history) on one connection of a copy
// and reports the backend's CPU time per statement, read from
// /proc/<pid>/schedstat: time spent waiting for a CPU on a loaded machine is
// not counted, so figures compare across runs. ANALYZE_AT=i analyses before
// pick i; REPEAT=n times each rollup statement's planning and run n more
// times (rolled back); EXPLAIN=1 writes EXPLAIN (ANALYZE, BUFFERS) of each
// to OUT; DUMP=dir writes each statement and its parameters. Needs the
// server on this machine (DATABASE_URL on localhost, or the embedded one).
//   DATABASE_URL=… npx tsx --conditions=react-server bench/profile-rollups.ts
import { readFileSync, writeFileSync } from "node:fs";
import pg from "pg";
import { presenceConfig } from "../lib/config";
import { parseItems } from "../lib/ingest/parse";
import type { Rollups } from "../lib/ingest/rollups";
import { storeBatch } from "../lib/ingest/store";
import { rebuildOnlineRollup, rollupLikes } from "../lib/stats/online-rollup";
import { runRankJob } from "../lib/availability/rank";
import { drain } from "./lib/context";
import { startPgServer, withClient } from "./lib/database";
import { batches, lifecycleHistory } from "./lib/workload";

const clients = Number(process.env.CLIENTS ?? 20_000);
const cycles = Number(process.env.CYCLES ?? 2);
const perPhase = clients / 500;
// Batch indices after the history: connect, subscribe, disconnect phases.
const picks = process.env.PICKS
  ? process.env.PICKS.split(",").map(Number)
  : [
      0,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      perPhase,
      perPhase + 1,
      2 * perPhase,
      2 * perPhase + 1,
      2 * perPhase + 2,
      2 * perPhase + 3,
      2 * perPhase + 4,
      2 * perPhase + 5,
      2 * perPhase + 6,
      2 * perPhase + 7,
    ];
const explain = process.env.EXPLAIN === "1";
const out = process.env.OUT ?? "/tmp/rollup-plans.txt";
const variants: [string, Rollups][] = (
  [
    ["both", { availability: true, online: true }],
    ["none", { availability: false, online: false }],
    ["availability", { availability: true, online: false }],
    ["online", { availability: false, online: true }],
  ] as [string, Rollups][]
).filter(([n]) => (process.env.VARIANTS ?? "both,none,availability,online").split(",").includes(n));

const log = (s: string) => console.log(s);
const cpuNs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]);

const server = await startPgServer(log);
const hist = process.env.HIST;
const db = hist
  ? {
      name: hist,
      url: `${server.url.replace(/\/[^/]*$/, "")}/${hist}`,
      drop: async () => {},
    }
  : await server.scratch("profile");
const copies: string[] = [];
let dumped = 0;
const repeats = new Map<string, { plan: number[]; run: number[] }>();
try {
  const config = presenceConfig();
  const now = Date.now();
  const total = clients * 3 * (cycles + 1);
  const all = batches([...lifecycleHistory(total, clients)], 500).map((b) => parseItems(b, now));
  const history = all.slice(0, (clients * 3 * cycles) / 500);
  const rest = picks.map((i) => all[history.length + i]!);
  if (!hist) {
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    pool.on("error", (e) => log(`pool: ${e.message}`));
    await rebuildOnlineRollup(pool, rollupLikes());
    // The availability ranking exists, as in production: ingest marks for it.
    await runRankJob(pool);
    const t = performance.now();
    await drain(history, 4, 30 * 60_000, async (b) => {
      const r = await storeBatch(pool, b.accepted, b.rejected, new Date(), config);
      return r.inserted;
    });
    log(`history: ${history.length} batches in ${Math.round(performance.now() - t)} ms`);
    await pool.query("VACUUM ANALYZE");
    await pool.end();
    if (process.env.KEEP === "1") {
      await withClient(server.url, (c) =>
        c.query(`CREATE DATABASE fleet_profile_hist TEMPLATE "${db.name}"`),
      );
      log("kept the history as fleet_profile_hist");
    }
  }

  const plans: string[] = [];
  for (const [name, rollups] of variants) {
    const copy = `${db.name}_${name}_${Date.now() % 100000}`;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await withClient(server.url, (c) =>
          c.query(`CREATE DATABASE "${copy}" TEMPLATE "${db.name}"`),
        );
        break;
      } catch (error) {
        if (attempt > 20) throw error;
        log(`retrying the copy: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    copies.push(copy);
    const url = new URL(db.url);
    url.pathname = `/${copy}`;
    const one = new pg.Pool({ connectionString: url.toString(), max: 1 });
    one.on("error", (e) => log(`pool: ${e.message}`));
    const perStatement = new Map<string, { ns: number; calls: number }>();
    let backend = 0;
    one.on("connect", (client) => {
      const original = client.query.bind(client) as (...a: unknown[]) => Promise<unknown>;
      (client as unknown as { query: (...a: unknown[]) => unknown }).query = async (
        ...args: unknown[]
      ) => {
        const first = args[0] as string | { text: string; values?: unknown[] };
        const text = typeof first === "string" ? first : first.text;
        const values =
          typeof first === "string" ? (args[1] as unknown[] | undefined) : first.values;
        const label = text.replace(/\s+/g, " ").trim().slice(0, 40);
        if (explain && /^\s*WITH\b/.test(text) && !text.includes("pg_advisory")) {
          await original("SAVEPOINT p");
          const r = (await original(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values)) as {
            rows: { "QUERY PLAN": string }[];
          };
          await original("ROLLBACK TO SAVEPOINT p");
          plans.push(`==== ${name}: ${label}\n${r.rows.map((x) => x["QUERY PLAN"]).join("\n")}`);
        }
        if (backend === 0) return original(...args);
        if (process.env.DUMP && /^\s*WITH\b/.test(text) && !text.includes("pg_advisory")) {
          dumped += 1;
          writeFileSync(
            `${process.env.DUMP}/${name}-${String(dumped).padStart(3, "0")}.json`,
            JSON.stringify({ text, values }),
          );
        }
        const repeat = Number(process.env.REPEAT ?? 0);
        if (repeat > 0 && /^\s*WITH\b/.test(text) && !text.includes("pg_advisory")) {
          let planNs = 0;
          let runNs = 0;
          for (let i = 0; i < repeat; i += 1) {
            let t0 = cpuNs(backend);
            await original(`EXPLAIN ${text}`, values);
            planNs += cpuNs(backend) - t0;
            await original("SAVEPOINT r");
            t0 = cpuNs(backend);
            await original(text, values);
            runNs += cpuNs(backend) - t0;
            await original("ROLLBACK TO SAVEPOINT r");
          }
          const k = `${label.slice(0, 12)} (plan / plan+run)`;
          const r = repeats.get(k) ?? { plan: [], run: [] };
          r.plan.push(planNs / repeat / 1e6);
          r.run.push(runNs / repeat / 1e6);
          repeats.set(k, r);
        }
        const before = cpuNs(backend);
        const result = await original(...args);
        const s = perStatement.get(label) ?? { ns: 0, calls: 0 };
        s.ns += cpuNs(backend) - before;
        s.calls += 1;
        perStatement.set(label, s);
        return result;
      };
    });
    const c = await one.connect();
    backend = (await c.query<{ p: number }>("SELECT pg_backend_pid() AS p")).rows[0]!.p;
    c.release();
    perStatement.clear();
    const start = cpuNs(backend);
    const analyzeAt = Number(process.env.ANALYZE_AT ?? -1);
    for (const [i, b] of rest.entries()) {
      if (i === analyzeAt) await withClient(url.toString(), (c) => c.query("ANALYZE"));
      await storeBatch(one, b.accepted, b.rejected, new Date(), config, rollups);
    }
    const totalMs = (cpuNs(backend) - start) / 1e6;
    await one.end();
    log(
      `== ${name}: backend CPU ${(totalMs / rest.length).toFixed(2)} ms per batch (${rest.length} batches)`,
    );
    for (const [label, s] of [...perStatement].sort((a, b) => b[1].ns - a[1].ns))
      log(
        `  ${(s.ns / 1e6 / rest.length).toFixed(2).padStart(7)} ms/batch  ${(s.ns / 1e6 / s.calls).toFixed(2).padStart(7)} ms/call × ${s.calls}  ${label}`,
      );
  }
  for (const [k, r] of repeats)
    log(`${k}: ${r.plan.map((x, i) => `${x.toFixed(2)}/${r.run[i]!.toFixed(2)}`).join("  ")} ms`);
  if (explain) writeFileSync(out, plans.join("\n\n"));
} catch (error) {
  log(`FAILED: ${(error as Error).stack}`);
} finally {
  for (const copy of copies)
    if (process.env.KEEP !== "1")
      await withClient(server.url, (c) =>
        c.query(`DROP DATABASE IF EXISTS "${copy}" WITH (FORCE)`),
      );
  if (process.env.KEEP === "1") log(`kept ${db.name} and its copies`);
  else await db.drop();
  await server.stop();
}
