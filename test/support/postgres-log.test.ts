// The test server's log watch (postgres-log.ts) on lines as PostgreSQL 15
// writes them, cut into chunks anywhere, with a real lock holder whose
// statement it reads from pg_stat_activity.
import { describe, expect, it } from "vitest";
import { withClient } from "./db";
import { watchServerLog } from "./postgres-log";

const at = "2026-12-08 02:10:31.436 UTC";

describe("watchServerLog", () => {
  it("prints long statements, timeouts and long lock waits with the holder's statement, nothing else", async () => {
    const url = process.env.DATABASE_URL!;
    await withClient(url, async (holder) => {
      await holder.query("BEGIN");
      const { rows } = await holder.query<{ pid: number }>(
        "SELECT pg_backend_pid() AS pid, 'the holder' AS label",
      );
      const pid = rows[0]!.pid;
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
          `${at} [14] LOG:  duration: 10509.466 ms  execute <unnamed>: SELECT pg_sleep(10.5),`,
          `\t  $1::text`,
          `${at} [14] DETAIL:  parameters: $1 = 'a param'`,
          `${at} [15] ERROR:  canceling statement due to statement timeout`,
          `${at} [15] STATEMENT:  SELECT pg_sleep(61)`,
          `${at} [16] LOG:  process 16 still waiting for AccessShareLock on relation 16643 of database 16384 after 1008.245 ms at character 22`,
          `${at} [16] DETAIL:  Process holding the lock: ${pid}. Wait queue: 16.`,
          "",
        ].join("\n");
        for (let i = 0; i < log.length; i += 37) watch.feed(log.slice(i, i + 37));
        await expect.poll(() => printed, { timeout: 5_000 }).toHaveLength(5);
        watch.feed(
          `${at} [16] LOG:  process 16 acquired AccessShareLock on relation 16643 of database 16384 after 13584.431 ms at character 22\n`,
        );
        watch.stop();
        expect(printed).toEqual([
          "[14] duration: 10509.466 ms  execute <unnamed>: SELECT pg_sleep(10.5),\n\t  $1::text",
          "[15] canceling statement due to statement timeout",
          "[15] statement: SELECT pg_sleep(61)",
          `[16] process 16 still waiting for AccessShareLock on relation 16643 of database 16384 after 1008.245 ms at character 22 Process holding the lock: ${pid}. Wait queue: 16. (still waiting after 2 s)`,
          expect.stringMatching(
            new RegExp(
              `^\\[${pid}\\] holds it, idle in transaction for \\d+ s, running: SELECT pg_backend_pid\\(\\) AS pid, 'the holder' AS label$`,
            ),
          ) as unknown as string,
          "[16] process 16 acquired AccessShareLock on relation 16643 of database 16384 after 13584.431 ms at character 22",
        ]);
      } finally {
        watch.stop();
        await holder.query("ROLLBACK");
      }
    });
  });
});
