// The production path: reruns the pure detector (detect.ts) over the part
// of the timeline that new events may have changed, with the database
// answering its questions (load.ts), and stores the result (persist.ts).
import "server-only";
import type pg from "pg";
import { incidentConfig, type IncidentConfig } from "./config";
import {
  candidateStarts,
  closeIncident,
  findBursts,
  type Burst,
  type DetectedIncident,
} from "./detect";
import {
  anyDisconnectBetween,
  BATCH_ROWS,
  loadDisconnects,
  loadOnlineBefore,
  loadReconnects,
  reconnectedAt,
} from "./load";
import { persistIncidents } from "./persist";

/** Only one app instance runs detection at a time. */
const INCIDENT_LOCK = 0x696e_6364; // "incd"

/** Listeners (alerts, the UI's stream) hear of changed incidents on this channel. */
export const INCIDENTS_CHANNEL = "fleet_incidents";

export interface DetectionOptions {
  now?: number;
  config?: IncidentConfig;
  /** Events whose time is older than this at arrival no longer change incidents (default 7 days). */
  lookbackMs?: number;
  /** Rows per round trip in the loads and writes that a storm makes big (tests shrink it). */
  batchRows?: number;
}

export interface DetectionResult {
  skipped: boolean;
  /** Start of the recomputed region (ms), null when nothing needed a rerun. */
  from: number | null;
  disconnects: number;
  incidents: number;
  changed: string[];
}

const LIVE = `merged_into IS NULL AND retracted_at IS NULL`;

async function scalar<T>(
  db: pg.PoolClient,
  sql: string,
  params: unknown[] = [],
): Promise<T | null> {
  const { rows } = await db.query<{ v: T | null }>(sql, params);
  return rows[0]?.v ?? null;
}

/**
 * Where the rerun must start. New presence events change the disconnects at
 * their time, the online counts after it, and the reconnections of incidents
 * up to maxOpen earlier; open incidents close as time passes. The region
 * also swallows any stored incident that reaches into it, so an incident is
 * always recomputed whole.
 */
async function regionStart(
  db: pg.PoolClient,
  afterId: string,
  upToId: string,
  config: IncidentConfig,
  floor: number,
): Promise<number | null> {
  const dirty = await scalar<Date>(
    db,
    `SELECT min(event_at) AS v FROM lifecycle_event
      WHERE id > $1 AND id <= $2 AND event_type IN ('connected', 'disconnected')`,
    [afterId, upToId],
  );
  const open = await scalar<Date>(
    db,
    `SELECT min(started_at) AS v FROM incident WHERE ${LIVE} AND ended_at IS NULL`,
  );
  const earliest = Math.min(dirty?.getTime() ?? Infinity, open?.getTime() ?? Infinity);
  if (!Number.isFinite(earliest)) return null;
  let from = Math.max(floor, earliest - config.maxOpenMs - 2 * config.windowMs);
  const reaching = await scalar<Date>(
    db,
    `SELECT min(started_at) AS v FROM incident
      WHERE ${LIVE} AND started_at < $1
        AND (ended_at IS NULL OR closes_at >= $1 OR last_hot_at + $2 * interval '1 millisecond' >= $1)`,
    [new Date(from), config.windowMs],
  );
  if (reaching !== null) from = Math.min(from, reaching.getTime());
  return from;
}

/**
 * Bursts from `from` on; moves `from` back while a burst may have begun
 * before it. Returns the number of disconnects, not the points: only the
 * bursts' points are needed later, and a storm's region holds a million.
 */
async function burstsFrom(
  db: pg.PoolClient,
  start: number,
  config: IncidentConfig,
  batchRows: number,
): Promise<{ from: number; disconnects: number; bursts: Burst[] }> {
  let from = start;
  for (let step = config.windowMs; ; step *= 2) {
    const disconnects = await loadDisconnects(db, from, batchRows);
    const online = await loadOnlineBefore(db, candidateStarts(disconnects, config));
    const bursts = findBursts(disconnects, config, (t) => online.get(t) ?? 0);
    const first = bursts[0];
    // A hot window within one window of `from` may continue an earlier one,
    // unless no disconnect at all lies in the window before `from`.
    if (
      first === undefined ||
      first.chainStartAt >= from + config.windowMs ||
      !(await anyDisconnectBetween(db, from - config.windowMs, from))
    ) {
      return { from, disconnects: disconnects.length, bursts };
    }
    from -= step;
  }
}

/**
 * One detection run, in one transaction under an advisory lock (other
 * instances skip). Returns what it recomputed and which incidents changed.
 */
export async function runIncidentDetection(
  pool: pg.Pool,
  options: DetectionOptions = {},
): Promise<DetectionResult> {
  const now = options.now ?? Date.now();
  const config = options.config ?? incidentConfig();
  const floor = now - (options.lookbackMs ?? 7 * 24 * 3_600_000);
  const batchRows = options.batchRows ?? BATCH_ROWS;
  const db = await pool.connect();
  const onError = () => {};
  db.on("error", onError);
  try {
    // One snapshot for the whole run: loads and online counts see the same connections.
    await db.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    const locked = await scalar<boolean>(db, "SELECT pg_try_advisory_xact_lock($1) AS v", [
      INCIDENT_LOCK,
    ]);
    if (!locked) {
      await db.query("ROLLBACK");
      return { skipped: true, from: null, disconnects: 0, incidents: 0, changed: [] };
    }
    await db.query(`INSERT INTO incident_detector (id) VALUES (1) ON CONFLICT DO NOTHING`);
    const state = await db.query<{ safe: string; seen: string }>(
      `SELECT safe_event_id AS safe, seen_event_id AS seen FROM incident_detector WHERE id = 1`,
    );
    const { safe, seen } = state.rows[0] as { safe: string; seen: string };
    const maxId = (await scalar<string>(db, `SELECT max(id) AS v FROM lifecycle_event`)) ?? seen;
    const start = await regionStart(db, safe, maxId, config, floor);
    let result: DetectionResult = {
      skipped: false,
      from: null,
      disconnects: 0,
      incidents: 0,
      changed: [],
    };
    if (start !== null) {
      const { from, disconnects, bursts } = await burstsFrom(db, start, config, batchRows);
      const incidents: DetectedIncident[] = [];
      // Taken out one by one: a burst's points are garbage once its incident holds copies.
      for (let b = bursts.shift(); b !== undefined; b = bursts.shift()) {
        const back = await loadReconnects(db, b.points, batchRows);
        incidents.push(closeIncident(b, config, now, (_, i) => reconnectedAt(back, i)));
      }
      const changed = await persistIncidents(db, incidents, from, now, batchRows);
      if (changed.length > 0) {
        await db.query("SELECT pg_notify($1, $2)", [
          INCIDENTS_CHANNEL,
          JSON.stringify({ changed: changed.slice(0, 100), count: changed.length }),
        ]);
      }
      result = {
        skipped: false,
        from,
        disconnects,
        incidents: incidents.length,
        changed,
      };
    }
    // Ids up to the previous run's max are settled; the rest are read again next time.
    await db.query(
      `UPDATE incident_detector SET safe_event_id = seen_event_id, seen_event_id = $1, last_run_at = $2
        WHERE id = 1`,
      [maxId, new Date(now)],
    );
    await db.query("COMMIT");
    return result;
  } catch (error) {
    await db.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    db.off("error", onError);
    db.release();
  }
}
