// The migration that partitions lifecycle_event, run on a populated database:
// a scratch database migrated up to just before it, filled with events over
// several months (ids burnt by duplicates, stragglers with wild clocks), then
// migrated to the end like any deployment. Nothing may be lost or renumbered,
// and the retention job must then work on what the migration made.
import { copyFile, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createScratchDatabase, type ScratchDatabase } from "../../test/support/scratch-database";
import {
  ensureEventPartitions,
  listEventPartitions,
  monthStart,
  partitionName,
} from "../retention/event-partitions";
import { retentionCutoff } from "../retention/delete-expired-events";
import { runRetention } from "../retention/run";
import { migrate, MIGRATIONS_DIR } from "./migrate";

const PARTITIONING = "20261205100000_lifecycle_event_partitioned";
const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date();
const EVENTS = 3_000;
const SPAN_DAYS = 150;
const STEP_MS = (SPAN_DAYS * DAY) / EVENTS;

/** Every column of every row, in id order: equal checksums, equal tables. */
const CHECKSUM = `SELECT count(*)::int AS n, md5(string_agg(
    (id, dedupe_key, client_id, event_type, event_at, received_at, session_identifier,
     principal_identifier, version_number, topic, raw)::text, E'\\n' ORDER BY id)) AS sum
  FROM lifecycle_event`;

/** The migrations before PARTITIONING, in a directory of their own. */
async function migrationsBefore(dir: string): Promise<void> {
  for (const name of (await readdir(MIGRATIONS_DIR)).sort()) {
    if (name >= PARTITIONING || !name.match(/^\d{14}_/)) continue;
    await mkdir(path.join(dir, name));
    await copyFile(
      path.join(MIGRATIONS_DIR, name, "migration.sql"),
      path.join(dir, name, "migration.sql"),
    );
  }
}

/** Events g = 1..$3, $2 ms apart from $1: the same g, the same event (ids in arrival order). */
const INSERT_EVENTS = `
  INSERT INTO lifecycle_event (dedupe_key, client_id, event_type, event_at, received_at,
      session_identifier, principal_identifier, version_number, topic, raw)
  SELECT md5('event-' || g)::uuid, 'dev-' || (g % 97),
         CASE WHEN g % 2 = 0 THEN 'connected' ELSE 'disconnected' END,
         $1::timestamptz + (g * $2::float8) * interval '1 millisecond', now(),
         'session-' || (g / 2), 'principal-' || (g % 97), g / 2,
         CASE WHEN g % 2 = 0 THEN '$aws/events/presence/connected/' ELSE '$aws/events/presence/disconnected/' END || 'dev-' || (g % 97),
         jsonb_build_object('clientId', 'dev-' || (g % 97), 'n', g)
    FROM generate_series(1, $3::int) g
  ON CONFLICT (dedupe_key, event_at) DO NOTHING`;

/** Device clocks gone wild: rows outside every month the migration lays out. */
const STRAGGLERS = [
  new Date("1970-01-01T00:00:00Z"),
  new Date(NOW.getTime() - 11 * 365 * DAY),
  monthStart(NOW, 2),
  new Date("2099-06-30T12:00:00Z"),
];

describe(`migration ${PARTITIONING} on a populated database`, () => {
  let scratch: ScratchDatabase;
  let client: pg.Client;
  let before: { n: number; sum: string };
  let lastIssuedId: number;
  let beforeMigration: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase(inject("databaseUrl"), "fleet_partition");
    beforeMigration = await mkdtemp(path.join(tmpdir(), "fleet-migrations-"));
    await migrationsBefore(beforeMigration);
    await migrate(scratch.url, beforeMigration);
    client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    const start = new Date(NOW.getTime() - SPAN_DAYS * DAY);
    await client.query(INSERT_EVENTS, [start, STEP_MS, EVENTS]);
    // The same events again: rejected by dedupe, each still takes an id.
    const again = await client.query(INSERT_EVENTS, [start, STEP_MS, 500]);
    expect(again.rowCount).toBe(0);
    for (const [i, at] of STRAGGLERS.entries()) {
      await client.query(
        `INSERT INTO lifecycle_event (dedupe_key, client_id, event_type, event_at, topic, raw)
         VALUES (md5('wild-' || $1)::uuid, 'wild-clock', 'connected', $2,
                 '$aws/events/presence/connected/wild-clock', '{}')`,
        [i, at],
      );
    }
    await client.query(INSERT_EVENTS, [start, STEP_MS, 200]); // ids burnt after the last row
    before = (await client.query<{ n: number; sum: string }>(CHECKSUM)).rows[0]!;
    lastIssuedId = Number(
      (await client.query<{ v: string }>(`SELECT last_value AS v FROM lifecycle_event_id_seq`))
        .rows[0]!.v,
    );
    const applied = await migrate(scratch.url);
    expect(applied.applied[0]).toBe(PARTITIONING);
  });

  afterAll(async () => {
    await client?.end();
    await scratch?.drop();
    if (beforeMigration !== undefined) await rm(beforeMigration, { recursive: true, force: true });
  });

  it("keeps every row, column for column, ids included", async () => {
    expect(before.n).toBe(EVENTS + STRAGGLERS.length);
    expect(lastIssuedId).toBe(EVENTS + 500 + STRAGGLERS.length + 200);
    const after = (await client.query<{ n: number; sum: string }>(CHECKSUM)).rows[0]!;
    expect(after).toEqual(before);
  });

  it("lays out one partition per month from the oldest row through next month, and a default", async () => {
    const partitions = await listEventPartitions(client);
    const months: string[] = [];
    const oldest = new Date(NOW.getTime() - SPAN_DAYS * DAY);
    for (let m = monthStart(oldest); m <= monthStart(NOW, 1); m = monthStart(m, 1))
      months.push(partitionName(m));
    expect(partitions.map((p) => p.name)).toEqual([...months, "lifecycle_event_default"]);
    for (const p of partitions.filter((p) => !p.isDefault))
      expect(p.to!.getTime() - p.from!.getTime()).toBeGreaterThanOrEqual(28 * DAY);
    // Each partition carries the table's four indexes.
    const indexes = await client.query<{ table: string; n: number }>(
      `SELECT c.relname AS table, count(*)::int AS n FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_index x ON x.indrelid = c.oid
        WHERE i.inhparent = 'lifecycle_event'::regclass GROUP BY 1`,
    );
    expect(indexes.rows.map((r) => r.n)).toEqual(partitions.map(() => 4));
  });

  it("puts the stragglers in the default partition and every other row in its month", async () => {
    const placed = await client.query<{ partition: string; client_id: string }>(
      `SELECT tableoid::regclass::text AS partition, client_id FROM lifecycle_event
        WHERE tableoid::regclass::text
              <> 'lifecycle_event_' || to_char(event_at AT TIME ZONE 'UTC', 'YYYY_MM')`,
    );
    expect(placed.rows).toEqual(
      STRAGGLERS.map(() => ({ partition: "lifecycle_event_default", client_id: "wild-clock" })),
    );
  });

  it("continues ids after the last one the old table handed out", async () => {
    const r = await client.query<{ id: string }>(
      `INSERT INTO lifecycle_event (dedupe_key, client_id, event_type, event_at, topic, raw)
       VALUES (gen_random_uuid(), 'after', 'connected', now(), 't', '{}') RETURNING id`,
    );
    expect(Number(r.rows[0]!.id)).toBe(lastIssuedId + 1);
    await client.query(`DELETE FROM lifecycle_event WHERE client_id = 'after'`);
  });

  it("still rejects every stored event as a duplicate, in every partition", async () => {
    const r = await client.query(
      `INSERT INTO lifecycle_event (dedupe_key, client_id, event_type, event_at, topic, raw)
       SELECT dedupe_key, client_id, event_type, event_at, topic, raw FROM lifecycle_event
       ON CONFLICT (dedupe_key, event_at) DO NOTHING`,
    );
    expect(r.rowCount).toBe(0);
    expect((await client.query(CHECKSUM)).rows[0]).toEqual(before);
  });

  it("creates the months ahead, moving their rows out of the default partition", async () => {
    const created = await ensureEventPartitions(client, { from: NOW, through: monthStart(NOW, 3) });
    expect(created).toEqual([partitionName(monthStart(NOW, 2)), partitionName(monthStart(NOW, 3))]);
    const moved = await client.query<{ partition: string }>(
      `SELECT tableoid::regclass::text AS partition FROM lifecycle_event WHERE event_at = $1`,
      [STRAGGLERS[2]],
    );
    expect(moved.rows).toEqual([{ partition: partitionName(monthStart(NOW, 2)) }]);
    expect(await ensureEventPartitions(client, { from: NOW, through: monthStart(NOW, 3) })).toEqual(
      [],
    );
    expect((await client.query(CHECKSUM)).rows[0]).toEqual(before);
  });

  it("retention drops the months past the horizon whole and keeps every row inside it", async () => {
    const days = 60;
    const cutoff = retentionCutoff(days, NOW);
    const count = async (where: string) =>
      (
        await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM lifecycle_event WHERE ${where}`,
          [cutoff],
        )
      ).rows[0]!.n;
    const kept = await count("event_at >= $1");
    const keptSum = await client.query(`${CHECKSUM} WHERE event_at >= $1`, [cutoff]);
    const expired = (await listEventPartitions(client)).filter(
      (p) => !p.isDefault && p.to!.getTime() <= cutoff.getTime(),
    );
    expect(expired.length).toBeGreaterThanOrEqual(2);
    const pool = new pg.Pool({ connectionString: scratch.url, max: 2 });
    try {
      const result = await runRetention(pool, { days, monthsAhead: 3, now: NOW, pauseMs: 0 });
      expect(result.skipped).toBe(false);
      expect(result.created).toEqual([]);
      expect(result.dropped).toEqual(expired.map((p) => p.name));
      // Rows deleted one by one: the month at the edge and the 1970 and 11-years-ago stragglers.
      expect(result.deleted).toBeGreaterThan(2);
    } finally {
      await pool.end();
    }
    const children = await client.query<{ name: string }>(
      `SELECT inhrelid::regclass::text AS name FROM pg_inherits
        WHERE inhparent = 'lifecycle_event'::regclass`,
    );
    for (const p of expired) expect(children.rows.map((r) => r.name)).not.toContain(p.name);
    expect(await count("event_at < $1")).toBe(0);
    expect(await count("event_at >= $1")).toBe(kept);
    expect((await client.query(`${CHECKSUM} WHERE event_at >= $1`, [cutoff])).rows).toEqual(
      keptSum.rows,
    );
    // The far-future straggler is still in the default partition, and found.
    const future = await client.query<{ partition: string }>(
      `SELECT tableoid::regclass::text AS partition FROM lifecycle_event
        WHERE client_id = 'wild-clock' ORDER BY id DESC LIMIT 1`,
    );
    expect(future.rows).toEqual([{ partition: "lifecycle_event_default" }]);
  });
});
