// 4. Queries at scale: p50/p95 of the read API over HTTP (the built app) on
// the scale database — fleet list (first page, sorted, filtered, searched,
// deep cursor), counts, client detail, 30-day timeline, event log, online
// history — then EXPLAIN (ANALYZE, BUFFERS) of the slowest, run on exactly
// the SQL lib/ sends (captured in-process).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createDatabase, type Database } from "../../lib/db/client";
import { encodeCursor } from "../../lib/clients/cursor";
import { onlineHistory, type HistorySource } from "../../lib/stats/online-history";
import type { HistoryRange } from "../../lib/stats/schemas";
import { startBenchApp } from "../lib/app";
import { SqlCapture } from "../lib/capture-sql";
import { PROFILES_DIR, profileNotes } from "../lib/cpuprofile";
import type { ScaleName, SuiteContext, SuiteResult } from "../lib/context";
import { withClient } from "../lib/database";
import { measured, type Figure } from "../lib/report";
import { latencySummary, round } from "../lib/stats";
import { cases, seedIncidents } from "./query-cases";
import { scaleOptions } from "./scale-data";
import { scaleDatabase, type ScaleDatabase } from "./scale-db";

export interface QueryOptions {
  samples: number;
  warmup: number;
  /** Plans are shown for this many of the slowest queries (and for every one over target). */
  explainSlowest: number;
  targetP95Ms: number;
  /** Samples of the online chart from the rollup vs from the connection table (the latter is slow at 1M). */
  historySamples: number;
  /** Sampling of one case stops once its samples took this long (a case of tens of seconds at 1M). */
  caseBudgetMs: number;
  /** At most this many plans (EXPLAIN ANALYZE runs each read once more). */
  maxPlans: number;
}

export function queryOptions(smoke: boolean, scale: ScaleName = "100k"): QueryOptions {
  return {
    samples: smoke ? 3 : scale === "1m" ? 20 : 40,
    warmup: smoke ? 1 : scale === "1m" ? 1 : 3,
    explainSlowest: 3,
    targetP95Ms: 300,
    historySamples: smoke ? 3 : scale === "1m" ? 2 : 40,
    caseBudgetMs: scale === "1m" ? 30_000 : Number.POSITIVE_INFINITY,
    maxPlans: smoke ? 40 : scale === "1m" ? 10 : 40,
  };
}

/**
 * The online chart from the rollup against today's computation from the
 * connection table, in-process on the same data, samples interleaved, and
 * checked to agree on every run.
 */
async function compareHistorySources(url: string, o: QueryOptions) {
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  // lib/db/client's db(), which onlineHistory reads through, on the scale database.
  const holder = globalThis as unknown as { fleetDatabase?: Database };
  const database = createDatabase(url, 2);
  holder.fleetDatabase = database;
  try {
    for (const range of ["24h", "7d", "30d"] as HistoryRange[]) {
      const ms: Record<HistorySource, number[]> = { auto: [], rollup: [], connections: [] };
      for (let i = o.historySamples < 3 ? 0 : -o.warmup; i < o.historySamples; i += 1) {
        const now = new Date();
        const answers: string[] = [];
        for (const source of ["rollup", "connections"] as const) {
          const started = performance.now();
          answers.push(JSON.stringify(await onlineHistory({ range }, now, source)));
          if (i >= 0) ms[source].push(performance.now() - started);
        }
        if (answers[0] !== answers[1])
          throw new Error(`online history ${range}: the rollup and the connection table disagree`);
      }
      const r = latencySummary(ms.rollup);
      const c = latencySummary(ms.connections);
      details[range] = { rollup: r, connections: c };
      figures.push({
        section: "4. queries",
        ...measured(`online history ${range} from the rollup, p95 in-process`, "ms", [], r.p95),
        baseline: measured("from the connection table (before the rollup)", "ms", [], c.p95),
        ratioToBaseline: r.p95 / c.p95,
        detail: `p50 ${round(r.p50)} vs ${round(c.p50)} ms, n=${r.n}; answers identical`,
      });
    }
  } finally {
    if (holder.fleetDatabase === database) delete holder.fleetDatabase;
    await database.close();
  }
  return { figures, details };
}

/** How the scale database came to be: its load's phases, its size, and whether this run reused it. */
export function loadDetail(db: ScaleDatabase): string {
  const l = db.load;
  const total = l.copy + l.indexes + l.vacuum + l.onlineRollup + l.availability;
  const age = ((Date.now() - db.now) / 3_600_000).toFixed(1);
  return (
    `${db.counts.labels.toLocaleString("en-US")} labels; database ${round(db.sizeBytes / 2 ** 30)} GiB; ` +
    `loaded in ${round(total)} s (COPY ${round(l.copy)} s, keys and indexes ${round(l.indexes)} s, VACUUM ANALYZE ${round(l.vacuum)} s, ` +
    `online rollup ${round(l.onlineRollup)} s, availability rollup ${round(l.availability)} s)` +
    (db.reused ? `; kept database reused, generated ${age} h before this run` : "")
  );
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);

export async function runQuerySuite(ctx: SuiteContext, o: QueryOptions): Promise<SuiteResult> {
  const { log } = ctx;
  const db = await scaleDatabase(ctx);
  const deep = await withClient(db.url, async (c) => {
    const { rows } = await c.query<{ last_event_at: Date; client_id: string }>(
      `SELECT last_event_at, client_id FROM client_state ORDER BY last_event_at DESC, client_id DESC OFFSET $1 LIMIT 1`,
      [Math.floor(db.counts.clients * 0.9)],
    );
    const row = rows[0]!;
    return encodeCursor({
      sort: "lastChange",
      order: "desc",
      value: row.last_event_at.toISOString(),
      clientId: row.client_id,
    });
  });
  // Relative to now, not to the data's generation: a kept database ages between runs.
  const incidentId = await seedIncidents(db.url, Date.now(), db.counts.clients);
  const all = cases(db.sampleClientId, deep, scaleOptions(ctx.smoke, ctx.scale), incidentId);
  const profileDir = ctx.profile ? path.join(PROFILES_DIR, "queries-app") : undefined;
  const app = await startBenchApp({ databaseUrl: db.url, profileDir });
  const samples = new Map<string, number[]>(all.map((c) => [c.name, []]));
  const spent = new Map<string, number>();
  const failed = new Map<string, string>();
  try {
    for (let i = -o.warmup; i < o.samples; i += 1) {
      // Round-robin over the cases: a noisy moment hits all of them, not one.
      for (const c of all) {
        // Over budget: no more rounds for this case, once it has one measured sample.
        if ((spent.get(c.name) ?? 0) > o.caseBudgetMs && samples.get(c.name)!.length > 0) continue;
        const started = performance.now();
        // As a logged-in operator: the session check is part of every read.
        if (failed.has(c.name)) continue;
        let response: Response;
        let body: string;
        try {
          response = await app.fetch(c.path(Math.abs(i)));
          body = await response.text();
        } catch (error) {
          // Recorded, not fatal: the other reads' figures still count.
          const e = error as Error;
          failed.set(
            c.name,
            `${e.message} (${String(e.cause)}) after ${round(performance.now() - started)} ms`,
          );
          log(`queries: ${c.name} failed: ${failed.get(c.name)}`);
          continue;
        }
        const ms = performance.now() - started;
        if (response.status === 503 && body.includes('"query_timeout"')) {
          // The app gave up on it (QUERY_TIMEOUT_MS): a miss to report, not a broken suite.
          failed.set(c.name, `cancelled by the app's query timeout after ${round(ms)} ms`);
          log(`queries: ${c.name}: ${failed.get(c.name)}`);
          continue;
        }
        if (response.status !== 200)
          throw new Error(
            `${c.name}: ${c.path(i)} answered ${response.status}: ${body.slice(0, 400)}\n` +
              `the app's last output:\n${app.output().slice(-3_000)}`,
          );
        if (i >= 0) samples.get(c.name)!.push(ms);
        spent.set(c.name, (spent.get(c.name) ?? 0) + ms);
      }
    }
  } finally {
    await app.stop();
  }
  const summaries = all
    .filter((c) => samples.get(c.name)!.length > 0)
    .map((c) => ({ c, s: latencySummary(samples.get(c.name)!) }));
  const history = await compareHistorySources(db.url, o);
  const figures: Figure[] = summaries.map(({ c, s }) => ({
    section: "4. queries",
    ...measured(`${c.name}, p95 over HTTP`, "ms", [], s.p95),
    detail: `p50 ${round(s.p50)} ms, max ${round(s.max)} ms, n=${s.n}${s.n < o.samples ? ` (sampling stopped after ${round(o.caseBudgetMs / 1000)} s)` : ""}`,
    target: {
      text: `p95 < ${c.targetP95Ms ?? o.targetP95Ms} ms`,
      met: s.p95 < (c.targetP95Ms ?? o.targetP95Ms),
    },
  }));
  figures.push(...history.figures, {
    section: "4. queries",
    ...measured("online rollup: one full rebuild from the connection table", "ms", [
      db.load.onlineRollup * 1000,
    ]),
    detail: db.reused ? "when the kept database was generated" : "during this run's load",
  });
  figures.unshift({
    section: "4. queries",
    name: `scale: ${db.counts.clients.toLocaleString("en-US")} clients, ${db.counts.connections.toLocaleString("en-US")} connections, ${db.counts.events.toLocaleString("en-US")} events`,
    value: db.counts.events + db.counts.connections,
    unit: "rows",
    runs: [],
    detail: loadDetail(db),
  });

  // Plans of the slowest reads, and of any over target.
  const ranked = [...summaries].sort((a, b) => b.s.p95 - a.s.p95);
  const explain = ranked
    .filter((r, k) => k < o.explainSlowest || r.s.p95 >= (r.c.targetP95Ms ?? o.targetP95Ms))
    .slice(0, o.maxPlans);
  const plansDir = path.join(ctx.resultsDir, ctx.smoke ? "plans-smoke" : "plans");
  // Only this run's plans in the folder.
  rmSync(plansDir, { recursive: true, force: true });
  mkdirSync(plansDir, { recursive: true });
  const notes: string[] = [...failed].map(([name, why]) => `FAILED read "${name}": ${why}`);
  const capture = new SqlCapture(db.url);
  try {
    for (const { c, s } of explain) {
      const queries = await capture.capture(() => c.call(1));
      const parts: string[] = [];
      for (const q of queries) {
        const plan = await capture.explain(q);
        parts.push(
          `-- SQL (${q.values.length} params: ${JSON.stringify(q.values).slice(0, 300)})\n${q.text.trim()}\n\n${plan}`,
        );
      }
      const file = path.join(plansDir, `${slug(c.name)}.txt`);
      writeFileSync(
        file,
        `${c.name}: p95 ${round(s.p95)} ms, p50 ${round(s.p50)} ms over HTTP\n\n${parts.join("\n\n")}\n`,
      );
      const execution = parts
        .map((p) => /Execution Time: ([\d.]+) ms/.exec(p)?.[1] ?? "?")
        .join(" + ");
      notes.push(
        `EXPLAIN ANALYZE of "${c.name}" (p95 ${round(s.p95)} ms; execution ${execution} ms) in ${file}\n${parts.map((p) => p.slice(p.indexOf("\n\n") + 2)).join("\n\n")}`,
      );
      log(`queries: plan of "${c.name}" → ${file}`);
    }
  } finally {
    await capture.close();
  }
  notes.push(...profileNotes(profileDir, "read API app CPU profile"));
  return {
    figures,
    details: {
      options: o,
      counts: db.counts,
      latencies: Object.fromEntries(summaries.map(({ c, s }) => [c.name, s])),
      onlineHistorySources: history.details,
    },
    notes,
  };
}
