// The test server's log watch (postgres-log.ts) on lines as PostgreSQL 15
// writes them, cut into chunks anywhere, with a real lock holder whose
// statement it reads from pg_stat_activity, and a real waiter.
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { withClient } from "./db";
import { watchServerLog } from "./postgres-log";

const at = "2026-12-08 02:10:31.436 UTC";

describe("watchServerLog", () => {
  it("prints long statements, timeouts and long lock waits with the holder's statement, nothing else", async () => {
    const url = process.env.DATABASE_URL!;
    const pidOf = async (c: pg.Client) =>
      (await c.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    await withClient(url, (holder) =>
      withClient(url, async (waiter) => {
        const holderPid = await pidOf(holder);
        const waiterPid = await pidOf(waiter);
        await holder.query("SELECT pg_advisory_lock(7357), 'the holder' AS label");
        const waited = waiter.query("SELECT pg_advisory_lock(7357)");
        const printed: string[] = [];
        const watch = watchServerLog({
          serverUrl: () => url,
          print: (line) => printed.push(line),
          // Past the second after which a record without a next one counts as ended (its DETAIL in).
          longWaitMs: 2_000,
        });
        try {
          const log = [
            // Tests cause deadlocks and short waits on purpose: not printed.
            `${at} [11] LOG:  process 11 still waiting for ShareLock on relation 16643 of database 16384 after 1000.494 ms`,
            `${at} [11] DETAIL:  Process holding the lock: 10. Wait queue: 11.`,
            `${at} [11] LOG:  process 11 acquired ShareLock on relation 16643 of database 16384 after 1001.2 ms`,
            `${at} [12] ERROR:  deadlock detected`,
            `${at} [12] DETAIL:  Process 12 waits for AccessExclusiveLock on relation 1 of database 2; blocked by process 13.`,
            // A wait that ended without "acquired" (its process no longer waits): not printed.
            `${at} [13] LOG:  process 13 still waiting for AccessShareLock on relation 16418 of database 16384 after 1000.2 ms`,
            `${at} [13] DETAIL:  Process holding the lock: ${holderPid}. Wait queue: 13.`,
            `${at} [14] LOG:  duration: 10509.466 ms  execute <unnamed>: SELECT pg_sleep(10.5),`,
            `\t  $1::text`,
            `${at} [14] DETAIL:  parameters: $1 = 'a param'`,
            `${at} [15] ERROR:  canceling statement due to statement timeout`,
            `${at} [15] STATEMENT:  SELECT pg_sleep(61)`,
            `${at} [${waiterPid}] LOG:  process ${waiterPid} still waiting for ExclusiveLock on advisory lock [16384,0,7357,1] after 1000.565 ms`,
            `${at} [${waiterPid}] DETAIL:  Process holding the lock: ${holderPid}. Wait queue: ${waiterPid}.`,
            "",
          ].join("\n");
          for (let i = 0; i < log.length; i += 37) watch.feed(log.slice(i, i + 37));
          await expect.poll(() => printed, { timeout: 8_000 }).toHaveLength(5);
          await holder.query("SELECT pg_advisory_unlock(7357)");
          await waited;
          watch.feed(
            `${at} [${waiterPid}] LOG:  process ${waiterPid} acquired ExclusiveLock on advisory lock [16384,0,7357,1] after 3012.1 ms\n`,
          );
          watch.stop();
          expect(printed).toEqual([
            "[14] duration: 10509.466 ms  execute <unnamed>: SELECT pg_sleep(10.5),\n\t  $1::text",
            "[15] canceling statement due to statement timeout",
            "[15] statement: SELECT pg_sleep(61)",
            `[${waiterPid}] process ${waiterPid} still waiting for ExclusiveLock on advisory lock [16384,0,7357,1] after 1000.565 ms Process holding the lock: ${holderPid}. Wait queue: ${waiterPid}. (still waiting after 2 s)`,
            expect.stringMatching(
              new RegExp(
                `^\\[${holderPid}\\] holds it, idle for \\d+ s, running: SELECT pg_advisory_lock\\(7357\\), 'the holder' AS label$`,
              ),
            ) as unknown as string,
            `[${waiterPid}] process ${waiterPid} acquired ExclusiveLock on advisory lock [16384,0,7357,1] after 3012.1 ms`,
          ]);
        } finally {
          watch.stop();
          await holder.query("SELECT pg_advisory_unlock_all()");
        }
      }),
    );
  });
});
