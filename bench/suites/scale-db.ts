// The scale database the query, CSV and availability suites read: the rows of
// scale-data.ts loaded with COPY, then the app's own rollups built from them.
// At `--scale 1m` it is generated once into a named database kept between
// runs (fleet_bench_1m), reused while its marker row says it is complete and
// of the current generator and schema (`--fresh` rebuilds it).
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import pg from "pg";
import { rebuildAvailabilityOf } from "../../lib/availability/rebuild";
import { runRankJob } from "../../lib/availability/rank";
import { MIGRATIONS_DIR, migrate } from "../../lib/db/migrate";
import { ensureEventPartitions } from "../../lib/retention/event-partitions";
import { rebuildOnlineRollup, rollupLikes } from "../../lib/stats/online-rollup";
import type { ScaleName, SuiteContext } from "../lib/context";
import { chunked, copyFrom } from "../lib/copy";
import { withClient, type ScratchDatabase } from "../lib/database";
import {
  COPIES,
  scaleClientId,
  scaleOptions,
  type ScaleCounts,
  type ScaleOptions,
} from "./scale-data";

/** Bump when scale-data.ts generates different rows: a kept database of another version is rebuilt. */
export const GENERATOR_VERSION = 2;

export interface ScaleDatabase extends ScratchDatabase {
  /** The instant the rows were generated relative to (a kept database ages). */
  now: number;
  counts: ScaleCounts;
  /** Seconds: rows (COPY), indexes, VACUUM ANALYZE, and each rollup's rebuild. */
  load: {
    copy: number;
    indexes: number;
    vacuum: number;
    onlineRollup: number;
    availability: number;
  };
  sizeBytes: number;
  /** Kept between runs (`--scale 1m`), and whether this run reused it. */
  kept: boolean;
  reused: boolean;
  sampleClientId(i: number): string;
}

type Marker = Pick<ScaleDatabase, "now" | "counts" | "load"> & {
  generator: number;
  schema: string;
  options: ScaleOptions;
};

const migrationNames = () =>
  readdirSync(MIGRATIONS_DIR)
    .filter((n) => /^\d/.test(n))
    .sort();
const hashOf = (names: readonly string[]) =>
  createHash("sha256").update(names.join("\n")).digest("hex").slice(0, 12);

/** The migrations the data was loaded under (their names' hash). */
function schemaVersion(): string {
  return hashOf(migrationNames());
}

/**
 * Whether a kept database's schema is an earlier state of this one: its hash
 * is that of a prefix of today's migrations, so the newer ones can be applied
 * to it in place (the data stays valid) instead of regenerating for an hour.
 */
function isEarlierSchema(schema: string): boolean {
  const names = migrationNames();
  return names.some((_, i) => hashOf(names.slice(0, i)) === schema);
}

const DAY_MS = 86_400_000;
const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * Loads the rows into a migrated, empty database, two tables at a time (one
 * connection each; the largest first). Each table is truncated and filled by
 * `COPY … FREEZE` in one transaction (rows written frozen and all-visible, so
 * VACUUM has little left to do); secondary indexes and the primary and unique
 * keys are dropped for the load and rebuilt from their own definitions after
 * it, also two at a time (building an index once is far cheaper than
 * maintaining it row by row).
 */
export async function loadScaleData(
  url: string,
  o: ScaleOptions,
  now: number,
  log: (line: string) => void,
): Promise<{ counts: ScaleCounts; load: Pick<Marker["load"], "copy" | "indexes" | "vacuum"> }> {
  const counts = {
    clients: 0,
    connections: 0,
    events: 0,
    subscriptions: 0,
    failures: 0,
    labels: 0,
  };
  const tables = COPIES.map((x) => x.table);
  const memory = o.clients >= 1_000_000 ? "1GB" : "256MB";
  const session = async (c: pg.ClientBase) => {
    // Bulk load: the loader's own sessions need not wait for each WAL flush.
    await c.query("SET synchronous_commit = off");
    await c.query(`SET maintenance_work_mem = '${memory}'`);
  };
  const { keys, indexes, partitioned } = await withClient(url, async (c) => {
    // The data's months as the app's job would have made them ahead: else
    // every past month's events land in the default partition, and the app's
    // first start moves them out (gigabytes, the default locked meanwhile).
    await ensureEventPartitions(
      c,
      { from: new Date(now - 40 * DAY_MS), through: new Date(now) },
      new Date(now),
      "all",
    );
    const keys = (
      await c.query<{ table: string; name: string; def: string }>(
        `SELECT t.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS def
           FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
          WHERE t.relname = ANY($1) AND k.contype IN ('p', 'u')
            AND t.relnamespace = current_schema()::regnamespace`,
        [tables],
      )
    ).rows;
    const indexes = (
      await c.query<{ table: string; name: string; def: string }>(
        `SELECT i.tablename AS table, i.indexname AS name, i.indexdef AS def FROM pg_indexes i
          WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = format('%I', i.indexname)::regclass)`,
        [tables],
      )
    ).rows;
    // COPY FREEZE is refused on a partitioned table (lifecycle_event may become one).
    const partitioned = (
      await c.query<{ relname: string }>(
        "SELECT relname FROM pg_class WHERE relkind = 'p' AND relname = ANY($1)",
        [tables],
      )
    ).rows.map((r) => r.relname);
    for (const i of indexes) await c.query(`DROP INDEX "${i.name}"`);
    for (const k of keys) await c.query(`ALTER TABLE "${k.table}" DROP CONSTRAINT "${k.name}"`);
    return { keys, indexes, partitioned };
  });
  const twoAtATime = async <T>(
    items: readonly T[],
    work: (c: pg.ClientBase, item: T) => Promise<void>,
  ) => {
    let next = 0;
    await Promise.all(
      [0, 1].map(() =>
        withClient(url, async (c) => {
          await session(c);
          while (next < items.length) await work(c, items[next++]!);
        }),
      ),
    );
  };
  let t = performance.now();
  await twoAtATime(
    [...COPIES].sort(
      (a, b) => Number(b.table === "lifecycle_event") - Number(a.table === "lifecycle_event"),
    ),
    async (c, copy) => {
      const started = performance.now();
      const freeze = !partitioned.includes(copy.table);
      await c.query("BEGIN");
      if (freeze) await c.query(`TRUNCATE ${copy.table}`);
      counts[copy.key] = await copyFrom(
        c,
        `COPY ${copy.table} (${copy.columns}) FROM STDIN${freeze ? " WITH (FREEZE)" : ""}`,
        chunked(copy.rows(o, now)),
      );
      await c.query("COMMIT");
      log(
        `scale data: ${counts[copy.key].toLocaleString("en-US")} rows into ${copy.table} in ${seconds(started).toFixed(1)} s`,
      );
    },
  );
  const copy = seconds(t);
  t = performance.now();
  const builds = [
    ...keys.map((k) => `ALTER TABLE "${k.table}" ADD CONSTRAINT "${k.name}" ${k.def}`),
    // A partitioned table's index is listed as CREATE INDEX ... ON ONLY: build it on every partition too.
    ...indexes.map((i) => i.def.replace(" ON ONLY ", " ON ")),
  ];
  await twoAtATime(builds, async (c, statement) => {
    await c.query(statement);
  });
  const indexSeconds = seconds(t);
  log(`scale data: ${builds.length} keys and indexes built in ${indexSeconds.toFixed(1)} s`);
  t = performance.now();
  // What autovacuum would have done on a live database: statistics and the visibility map.
  await withClient(url, (c) => c.query("VACUUM (ANALYZE)"));
  const vacuum = seconds(t);
  log(`scale data: VACUUM (ANALYZE) in ${vacuum.toFixed(1)} s`);
  return { counts, load: { copy, indexes: indexSeconds, vacuum } };
}

/**
 * After newer migrations: a migration that empties the online rollup's state
 * (so that the next start rebuilds it) gets its rebuild here, before any read
 * is timed, as an app start would.
 */
async function rebuildStaleRollup(url: string, log: (line: string) => void) {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on("error", () => {});
  try {
    const t = performance.now();
    if (await rebuildOnlineRollup(pool, rollupLikes(), { onlyIfStale: true }))
      log(`scale data: online chart rollup rebuilt in ${seconds(t).toFixed(1)} s`);
  } finally {
    await pool.end();
  }
}

/**
 * The availability report's ranking for today's window (lib/availability/rank.ts),
 * as the app's job builds it after UTC midnight: a database kept from another
 * day gets it anew. Returns the seconds it took (0: it was up to date).
 */
async function ensureRank(url: string, log: (line: string) => void): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => {});
  try {
    const t = performance.now();
    const run = await runRankJob(pool);
    if (run.built === 0 && run.refreshed === 0) return 0;
    const took = seconds(t);
    log(
      `scale data: availability ranking built in ${took.toFixed(1)} s (${run.built.toLocaleString("en-US")} clients)`,
    );
    await pool.query("ANALYZE availability_rank");
    return took;
  } finally {
    await pool.end();
  }
}

/** The app's rollups, built from the loaded rows as an upgrade would (COPY bypasses ingest). */
async function buildRollups(url: string, log: (line: string) => void) {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => {});
  try {
    let t = performance.now();
    await rebuildOnlineRollup(pool, rollupLikes());
    const onlineRollup = seconds(t);
    log(`scale data: online chart rollup built in ${onlineRollup.toFixed(1)} s`);
    t = performance.now();
    // npm run availability:rebuild's chunks (rebuildAvailability), two side by side.
    const ids = (
      await pool.query<{ client_id: string }>("SELECT client_id FROM client_state ORDER BY 1")
    ).rows.map((r) => r.client_id);
    let next = 0;
    await Promise.all(
      [0, 1].map(async () => {
        for (let from = next; from < ids.length; from = next) {
          next += 1_000;
          await rebuildAvailabilityOf(pool, ids.slice(from, from + 1_000));
        }
      }),
    );
    const availability = seconds(t);
    log(`scale data: availability rollup built in ${availability.toFixed(1)} s`);
    await pool.query("ANALYZE online_minute, client_state, availability_segment, availability_day");
    return { onlineRollup, availability };
  } finally {
    await pool.end();
  }
}

async function fill(url: string, o: ScaleOptions, log: (line: string) => void): Promise<Marker> {
  // Times relative to the start of the load: statuses drift (pending turns offline) as the suite runs, as in life.
  const now = Date.now();
  const loaded = await loadScaleData(url, o, now, log);
  const rollups = await buildRollups(url, log);
  await ensureRank(url, log);
  const load = { ...loaded.load, ...rollups };
  return {
    now,
    counts: loaded.counts,
    load,
    generator: GENERATOR_VERSION,
    schema: schemaVersion(),
    options: o,
  };
}

const sizeOf = (url: string) =>
  withClient(url, async (c) =>
    Number(
      (await c.query<{ n: string }>("SELECT pg_database_size(current_database()) AS n")).rows[0]!.n,
    ),
  );

const sampler = (o: ScaleOptions) => (i: number) => scaleClientId((i * 7_919 + 13) % o.clients);

async function generate(ctx: SuiteContext, o: ScaleOptions): Promise<ScaleDatabase> {
  const db = await ctx.server.scratch("scale");
  const marker = await fill(db.url, o, ctx.log);
  return {
    ...db,
    ...marker,
    sizeBytes: await sizeOf(db.url),
    kept: false,
    reused: false,
    sampleClientId: sampler(o),
  };
}

/** The marker of a kept database, when it is complete and of this generator, schema and size. */
async function readMarker(url: string, o: ScaleOptions): Promise<Marker | undefined> {
  try {
    const m = await withClient(url, async (c) => {
      const { rows } = await c.query<{ info: Marker }>(
        "SELECT info FROM bench_scale_marker WHERE id = 1",
      );
      return rows[0]?.info;
    });
    const current =
      m !== undefined &&
      m.generator === GENERATOR_VERSION &&
      (m.schema === schemaVersion() || isEarlierSchema(m.schema)) &&
      JSON.stringify(m.options) === JSON.stringify(o);
    return current ? m : undefined;
  } catch {
    return undefined; // No such database, or no marker: an interrupted load.
  }
}

/** The kept database of a scale (`fleet_bench_<scale>`), reused or (re)generated. */
export async function keptScaleDatabase(
  ctx: SuiteContext,
  scale: ScaleName,
): Promise<ScaleDatabase> {
  return kept(ctx, scaleOptions(false, scale), `fleet_bench_${scale}`);
}

async function kept(ctx: SuiteContext, o: ScaleOptions, name: string): Promise<ScaleDatabase> {
  const url = new URL(ctx.server.url);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const base = { url: dbUrl, name, drop: async () => {}, kept: true, sampleClientId: sampler(o) };
  const found = ctx.fresh ? undefined : await readMarker(dbUrl, o);
  // Always: a migration added while the database was being generated is in
  // the marker's schema already, but not in the database.
  if (found !== undefined) await migrate(dbUrl);
  if (found !== undefined && found.schema !== schemaVersion()) {
    ctx.log(`scale data: applied the migrations newer than ${name}'s schema ${found.schema}`);
    await rebuildStaleRollup(dbUrl, ctx.log);
    found.schema = schemaVersion();
    await withClient(dbUrl, async (c) => {
      await c.query("ANALYZE");
      await c.query("UPDATE bench_scale_marker SET info = $1 WHERE id = 1", [found]);
    });
  }
  if (found !== undefined) {
    await ensureRank(dbUrl, ctx.log);
    const ageHours = (Date.now() - found.now) / 3_600_000;
    ctx.log(
      `scale data: reusing ${name} (generator ${found.generator}, schema ${found.schema}, generated ${ageHours.toFixed(1)} h ago; --fresh rebuilds it)`,
    );
    return { ...base, ...found, sizeBytes: await sizeOf(dbUrl), reused: true };
  }
  ctx.log(`scale data: generating ${name} (${o.clients.toLocaleString("en-US")} clients)`);
  await withClient(ctx.server.url, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"`);
  });
  await migrate(dbUrl);
  const marker = await fill(dbUrl, o, ctx.log);
  // Last: a load interrupted before this line is rebuilt by the next run.
  await withClient(dbUrl, async (c) => {
    await c.query("CREATE TABLE bench_scale_marker (id int PRIMARY KEY, info jsonb NOT NULL)");
    await c.query("INSERT INTO bench_scale_marker (id, info) VALUES (1, $1)", [marker]);
  });
  return { ...base, ...marker, sizeBytes: await sizeOf(dbUrl), reused: false };
}

const cache = new WeakMap<SuiteContext["server"], Promise<ScaleDatabase>>();

/** The scale database, loaded once per run (at `--scale 1m`, once for all runs) and shared by the suites. */
export function scaleDatabase(ctx: SuiteContext): Promise<ScaleDatabase> {
  let db = cache.get(ctx.server);
  if (db === undefined) {
    const o = scaleOptions(ctx.smoke, ctx.scale);
    db = !ctx.smoke && ctx.scale === "1m" ? keptScaleDatabase(ctx, "1m") : generate(ctx, o);
    cache.set(ctx.server, db);
  }
  return db;
}
