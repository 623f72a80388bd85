// The incident job's memory on a storm's open incident, without the app:
//   tsx --conditions=react-server bench/incident-memory.ts seed [devices] [back share]
//   tsx --conditions=react-server bench/incident-memory.ts back <back share>
//   tsx --conditions=react-server bench/incident-memory.ts run
// `seed` fills a scratch database (INCIDENT_MEMORY_DB, created and migrated
// when missing) with devices that all drop within one minute, a share of
// them back; `back` brings more of them back; `run` times one detection run
// and prints its process's peak RSS and sampled peak heap. Run `run` in a
// fresh process each time: the peak RSS is the process's, import included.
import { getHeapStatistics } from "node:v8";
import pg from "pg";
import { migrate } from "../lib/db/migrate";
import { DEFAULT_INCIDENT_CONFIG } from "../lib/incidents/config";
import { runIncidentDetection } from "../lib/incidents/job";

const url =
  process.env.INCIDENT_MEMORY_DB ?? "postgresql://postgres@127.0.0.1:5432/incident_memory";
const T0 = Date.parse("2026-11-30T10:00:00.000Z");
const STORM = T0 + 30 * 60_000;
/** Disconnects over a minute, reconnects over the ten after it (the storm benchmark's shape). */
const DISCONNECT_MS = 60_000;
const RECONNECT_MS = 600_000;
const NOW = STORM + DISCONNECT_MS + RECONNECT_MS / 2;
const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function createDatabase() {
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  await migrate(url);
}

/** Device i's second connection, from `lo` (inclusive) to `hi` (exclusive) as shares of n. */
async function reconnect(db: pg.Pool, n: number, lo: number, hi: number) {
  await db.query(
    `INSERT INTO connection (client_id, session_identifier, version_number, connected_at, ip_address)
     SELECT 'dev-' || lpad(i::text, 7, '0'), 's-' || i || '-2', 2,
            to_timestamp(($2::float8 + i * $3::float8 / $1::int) / 1000), '10.0.0.2'
       FROM generate_series(ceil($1::int * $4::float8)::int, ceil($1::int * $5::float8)::int - 1) i`,
    [n, STORM + DISCONNECT_MS, RECONNECT_MS, lo, hi],
  );
  await db.query(
    `UPDATE client_state s SET session_identifier = c.session_identifier, version_number = 2,
            connected_at = c.connected_at, disconnected_at = NULL, last_event_at = c.connected_at
       FROM connection c WHERE c.client_id = s.client_id AND c.version_number = 2
        AND s.version_number = 1`,
  );
  await db.query(
    `INSERT INTO lifecycle_event (dedupe_key, client_id, event_type, event_at, topic, raw)
     VALUES (gen_random_uuid(), 'dev-0000000', 'connected', to_timestamp($1 / 1000.0), 'x', '{}')`,
    [STORM + DISCONNECT_MS],
  );
}

async function seed(db: pg.Pool, n: number, back: number) {
  await db.query(
    `TRUNCATE lifecycle_event, connection, client_state, incident_client, incident, incident_detector`,
  );
  await db.query(
    `INSERT INTO connection (client_id, session_identifier, version_number, connected_at,
       disconnected_at, disconnect_reason, principal_identifier, ip_address)
     SELECT 'dev-' || lpad(i::text, 7, '0'), 's-' || i || '-1', 1, to_timestamp($2 / 1000.0),
            to_timestamp(($3 + i * $4::float8 / $1) / 1000),
            (ARRAY['CONNECTION_LOST', 'SERVER_INITIATED_DISCONNECT', 'MQTT_KEEP_ALIVE_TIMEOUT'])[1 + i % 3],
            'principal-' || i, '10.1.' || (i / 256 % 256) || '.' || (i % 256)
       FROM generate_series(0, $1 - 1) i`,
    [n, T0, STORM, DISCONNECT_MS],
  );
  await db.query(
    `INSERT INTO client_state (client_id, session_identifier, version_number, connected_at,
       disconnected_at, last_event_at)
     SELECT client_id, session_identifier, version_number, connected_at, disconnected_at,
            disconnected_at FROM connection`,
  );
  await reconnect(db, n, 0, back);
  await db.query(`VACUUM ANALYZE connection`);
  await db.query(`VACUUM ANALYZE client_state`);
}

async function run(db: pg.Pool) {
  const before = process.memoryUsage().rss;
  let heapPeak = 0;
  const sample = () => {
    heapPeak = Math.max(heapPeak, getHeapStatistics().used_heap_size);
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  const result = await runIncidentDetection(db, {
    now: NOW,
    config: DEFAULT_INCIDENT_CONFIG,
    lookbackMs: Infinity,
  });
  const ms = performance.now() - started;
  clearInterval(timer);
  sample();
  const stored = await db.query<{ n: number; back: number }>(
    `SELECT affected_clients AS n, reconnected_clients AS back FROM incident`,
  );
  console.log(
    JSON.stringify({
      disconnects: result.disconnects,
      incidents: stored.rows,
      changed: result.changed.length,
      seconds: +(ms / 1000).toFixed(2),
      rssBefore: MiB(before),
      rssPeak: MiB(process.resourceUsage().maxRSS * 1024),
      heapPeakSampled: MiB(heapPeak),
    }),
  );
}

const [mode, a, b] = process.argv.slice(2);
if (mode === "seed") await createDatabase();
const pool = new pg.Pool({ connectionString: url, max: 2 });
try {
  if (mode === "seed") await seed(pool, Number(a ?? 200_000), Number(b ?? 0.3));
  else if (mode === "back") {
    const n = await pool.query<{ n: number; back: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE version_number = 2)::int AS back
         FROM client_state`,
    );
    const { n: total, back } = n.rows[0] as { n: number; back: number };
    await reconnect(pool, total, back / total, Number(a));
  } else if (mode === "run") await run(pool);
  else throw new Error(`unknown mode '${mode}': seed, back or run`);
} finally {
  await pool.end();
}
