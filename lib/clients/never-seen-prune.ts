// Drops stale rows of never_seen_client, the superset of never-seen clients
// kept by triggers (migration 20261206100000_never_seen_client): clients seen
// since (a label write that raced the first event), and clients whose labels
// were removed (label deletes leave their candidates in place). Reads skip
// such rows anyway; this keeps their cost at the real never-seen count.
// Run by the retention job.
import "server-only";
import type pg from "pg";

/** A label import holds client_label this long at most before the prune gives way to it. */
const LABEL_LOCK_TIMEOUT = "2s";

export interface NeverSeenPrune {
  seen: number;
  unlabelled: number;
}

/**
 * The prune must never drop a row a concurrent write still needs (the reads
 * would then miss a never-seen client). Seen candidates: each one's
 * client_state row is locked FOR KEY SHARE first, so a concurrent delete of
 * it (which re-adds the candidate) either finished before, and the row is
 * skipped, or waits for this commit. Unlabelled candidates: a label insert
 * whose trigger found the candidate present adds nothing, so no label write
 * may be in flight while they are judged; a SHARE lock on client_label
 * waits for those running and holds off new ones for the few index probes
 * this takes. When an import holds the table longer, this half waits for
 * the next run.
 */
export async function pruneNeverSeenCandidates(client: pg.ClientBase): Promise<NeverSeenPrune> {
  const seen = await client.query(
    `DELETE FROM never_seen_client n
      WHERE n.client_id IN (SELECT cs.client_id FROM never_seen_client m
                              JOIN client_state cs ON cs.client_id = m.client_id
                               FOR KEY SHARE OF cs)`,
  );
  let unlabelled = 0;
  await client.query("BEGIN");
  try {
    await client.query(`SET LOCAL lock_timeout = '${LABEL_LOCK_TIMEOUT}'`);
    await client.query("LOCK TABLE client_label IN SHARE MODE");
    const r = await client.query(
      `DELETE FROM never_seen_client n
        WHERE NOT EXISTS (SELECT 1 FROM client_label l WHERE l.client_id = n.client_id)`,
    );
    await client.query("COMMIT");
    unlabelled = r.rowCount ?? 0;
  } catch (error) {
    await client.query("ROLLBACK");
    // 55P03 lock_not_available: a long label write holds the table; next run.
    if ((error as { code?: string }).code !== "55P03") throw error;
  }
  return { seen: seen.rowCount ?? 0, unlabelled };
}
