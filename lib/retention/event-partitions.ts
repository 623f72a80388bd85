// lifecycle_event is partitioned by calendar month (UTC) of event_at
// (migration 20261205100000_lifecycle_event_partitioned, docs/partitioning.md).
// The retention job keeps the months ahead created and drops whole months
// once they are past the retention horizon; rows outside every month (a
// device clock gone wild, a month not created yet) live in the default
// partition and are trimmed row by row.
import "server-only";
import type pg from "pg";

export const EVENT_TABLE = "lifecycle_event";
export const DEFAULT_PARTITION = "lifecycle_event_default";

/**
 * How long a partition change waits for its lock. DDL on a partition queues
 * behind running queries, and every ingest queues behind the waiting DDL:
 * better to give up and retry at the next run than to stall ingest.
 */
const LOCK_TIMEOUT = "2s";

const isLockTimeout = (error: unknown) => (error as { code?: string }).code === "55P03";

export interface EventPartition {
  name: string;
  /** Inclusive lower bound; null for MINVALUE. */
  from: Date | null;
  /** Exclusive upper bound; null for MAXVALUE. */
  to: Date | null;
  isDefault: boolean;
}

/** The first instant of the UTC calendar month `offset` months after the one holding `at`. */
export function monthStart(at: Date, offset = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));
}

/** lifecycle_event_YYYY_MM, the month's partition as the migration names it. */
export function partitionName(month: Date): string {
  const mm = String(month.getUTCMonth() + 1).padStart(2, "0");
  return `${EVENT_TABLE}_${month.getUTCFullYear()}_${mm}`;
}

/** Whether lifecycle_event is partitioned at all (false before the migration). */
async function isPartitioned(client: pg.ClientBase): Promise<boolean> {
  const r = await client.query<{ kind: string }>(
    `SELECT relkind AS kind FROM pg_class WHERE oid = to_regclass($1)`,
    [EVENT_TABLE],
  );
  return r.rows[0]?.kind === "p";
}

/**
 * The partitions of lifecycle_event with their bounds, read from the catalog
 * (whatever created them: the migration, this job, or an operator by hand).
 */
export async function listEventPartitions(client: pg.ClientBase): Promise<EventPartition[]> {
  if (!(await isPartitioned(client))) return [];
  // The bound's literals carry their UTC offset, so the casts do not depend
  // on the session's time zone.
  const r = await client.query<{
    name: string;
    is_default: boolean;
    from: Date | null;
    to: Date | null;
  }>(
    `SELECT name, bound = 'DEFAULT' AS is_default,
            CASE WHEN m[1] IS NULL OR m[1] = 'MINVALUE' THEN NULL ELSE btrim(m[1], '''')::timestamptz END AS "from",
            CASE WHEN m[2] IS NULL OR m[2] = 'MAXVALUE' THEN NULL ELSE btrim(m[2], '''')::timestamptz END AS "to"
       FROM (SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
               FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = to_regclass($1)) p
       LEFT JOIN LATERAL regexp_match(bound, '^FOR VALUES FROM \\((.*)\\) TO \\((.*)\\)$') m ON true
      ORDER BY is_default, "from" NULLS FIRST, name`,
    [EVENT_TABLE],
  );
  return r.rows.map((p) => ({ name: p.name, from: p.from, to: p.to, isDefault: p.is_default }));
}

const overlaps = (p: EventPartition, from: Date, to: Date) =>
  !p.isDefault &&
  (p.from === null || p.from.getTime() < to.getTime()) &&
  (p.to === null || p.to.getTime() > from.getTime());

/**
 * Creates the partitions of the months from the one holding `from` through
 * the one holding `through` that do not exist yet: from the current month
 * on always, before it only where the default partition holds rows of that
 * month (a long retention must not create years of empty months). A month
 * some partition already overlaps (one laid out by hand with other bounds)
 * is left alone. Returns the names created.
 */
export async function ensureEventPartitions(
  client: pg.ClientBase,
  range: { from: Date; through: Date },
  now = new Date(),
  /** Create past months even when no row needs them (a bulk load about to fill them). */
  pastMonths: "when-needed" | "all" = "when-needed",
): Promise<string[]> {
  if (!(await isPartitioned(client))) return [];
  const existing = await listEventPartitions(client);
  const hasDefault = existing.some((p) => p.isDefault);
  const created: string[] = [];
  for (let from = monthStart(range.from); from <= range.through; from = monthStart(from, 1)) {
    const to = monthStart(from, 1);
    if (existing.some((p) => overlaps(p, from, to))) continue;
    if (
      pastMonths === "when-needed" &&
      from < monthStart(now) &&
      !(hasDefault && (await defaultHolds(client, from, to)))
    )
      continue;
    try {
      await createMonth(client, partitionName(from), from, to, hasDefault);
      created.push(partitionName(from));
    } catch (error) {
      // Busy: the next run tries again (the migration made next month already).
      if (!isLockTimeout(error)) throw error;
    }
  }
  return created;
}

async function defaultHolds(client: pg.ClientBase, from: Date, to: Date): Promise<boolean> {
  const r = await client.query<{ any: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM "${DEFAULT_PARTITION}" WHERE event_at >= $1 AND event_at < $2) AS any`,
    [from, to],
  );
  return r.rows[0]?.any === true;
}

/**
 * One month's partition, in one transaction. Rows of that month already in
 * the default partition (early clocks, or a month the job had not created
 * yet) move into it first: PostgreSQL refuses to attach a range the default
 * partition holds rows of. ATTACH takes only a SHARE UPDATE EXCLUSIVE lock on
 * lifecycle_event, so ingest into other months goes on; the default
 * partition is locked (and scanned, to check) for the moment it takes.
 */
async function createMonth(
  client: pg.ClientBase,
  name: string,
  from: Date,
  to: Date,
  hasDefault: boolean,
): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    if (hasDefault)
      await client.query(`LOCK TABLE "${DEFAULT_PARTITION}" IN ACCESS EXCLUSIVE MODE`);
    await client.query(`CREATE TABLE "${name}" (LIKE "${EVENT_TABLE}" INCLUDING DEFAULTS)`);
    if (hasDefault) {
      await client.query(
        `WITH moved AS (DELETE FROM "${DEFAULT_PARTITION}" WHERE event_at >= $1 AND event_at < $2 RETURNING *)
         INSERT INTO "${name}" SELECT * FROM moved`,
        [from, to],
      );
    }
    await client.query(
      `ALTER TABLE "${EVENT_TABLE}" ATTACH PARTITION "${name}"
         FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}

/**
 * Drops every partition whose whole range ends at or before `cutoff` (the
 * default partition never). Each drop briefly takes an ACCESS EXCLUSIVE lock
 * on lifecycle_event; one that cannot get it within the lock timeout is left
 * for the next run (its rows are then trimmed by the batched delete). Returns
 * the names dropped.
 */
export async function dropExpiredEventPartitions(
  client: pg.ClientBase,
  cutoff: Date,
): Promise<string[]> {
  const expired = (await listEventPartitions(client)).filter(
    (p) => !p.isDefault && p.to !== null && p.to.getTime() <= cutoff.getTime(),
  );
  const dropped: string[] = [];
  for (const p of expired) {
    await client.query("BEGIN");
    try {
      await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      await client.query(`DROP TABLE "${p.name.replaceAll('"', '""')}"`);
      await client.query("COMMIT");
      dropped.push(p.name);
    } catch (error) {
      await client.query("ROLLBACK");
      if (!isLockTimeout(error)) throw error;
    }
  }
  return dropped;
}
