// What the test run's embedded PostgreSQL says about statements that ran
// long and lock waits that did not end, printed as it happens: when a suite
// hangs in CI, its log names the statement (2026-12-08: every hook's
// TRUNCATE waited minutes behind a label import whose statement nobody could
// name). Everything else the server logs (the deadlocks and short lock waits
// tests cause on purpose among it) stays out of the test output.
import { withClient } from "./db";

/** Server settings for the log this reads: statements of 10 s or more, lock waits past 1 s. */
export const SERVER_LOG_SETTINGS = [
  "log_min_duration_statement=10s",
  "log_lock_waits=on",
  "log_parameter_max_length=200",
];

const MAX_RECORD_CHARS = 2_000;
const MAX_PRINTED = 100;

/** A record's first line: `2026-12-08 02:10:31.436 UTC [11859] LOG:  ...`. */
const RECORD_START = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[(\d+)\] (\w+):\s+(.*)$/;

interface Wait {
  text: string;
  since: number;
  printed: boolean;
}

/**
 * Reads the server's output (`feed`, chunks split anywhere) and prints its
 * long statements, the statements PostgreSQL cancelled for their timeout,
 * and lock waits that lasted `longWaitMs` (with what the holder runs, read
 * from pg_stat_activity on `serverUrl`) and when they ended. A record ends
 * where the next one starts, or a second after it came: `longWaitMs` past
 * that second sees a wait's DETAIL (its holder) in.
 */
export function watchServerLog({
  serverUrl,
  print: write = (line) => process.stderr.write(`[test postgres] ${line}\n`),
  longWaitMs = 10_000,
}: {
  serverUrl: () => string | undefined;
  print?: (line: string) => void;
  longWaitMs?: number;
}): {
  feed(chunk: string): void;
  stop(): void;
} {
  let partial = "";
  let record: { pid: string; level: string; text: string; at: number } | undefined;
  let cancelledPid: string | undefined;
  const waits = new Map<string, Wait>();
  let printed = 0;

  const print = (text: string) => {
    if (printed >= MAX_PRINTED) return;
    printed += 1;
    write(text.length > MAX_RECORD_CHARS ? `${text.slice(0, MAX_RECORD_CHARS)}...` : text);
  };

  const finish = () => {
    if (record === undefined) return;
    const { pid, level, text } = record;
    record = undefined;
    if (level === "LOG" && text.startsWith("duration: ")) print(`[${pid}] ${text}`);
    else if (level === "ERROR" && text.includes("due to statement timeout")) {
      print(`[${pid}] ${text}`);
      cancelledPid = pid;
    } else if (level === "STATEMENT" && pid === cancelledPid) {
      print(`[${pid}] statement: ${text}`);
      cancelledPid = undefined;
    } else if (level === "LOG" && text.includes(" still waiting for ")) {
      waits.set(pid, { text, since: Date.now(), printed: false });
    } else if (level === "DETAIL" && text.startsWith("Process holding the lock")) {
      const wait = waits.get(pid);
      if (wait !== undefined && !wait.printed) wait.text += ` ${text}`;
    } else if (level === "LOG" && text.includes(" acquired ")) {
      if (waits.get(pid)?.printed) print(`[${pid}] ${text}`);
      waits.delete(pid);
    }
  };

  // A wait ends in "acquired", or without a word when its statement fails
  // (a deadlock's victim, a cancel, a dropped database): pg_stat_activity
  // says whether the process still waits for a lock, and what the holder runs.
  const reportWait = async (url: string, pid: string, wait: Wait) => {
    const holder = /Process holding the lock: (\d+)/.exec(wait.text)?.[1] ?? "0";
    try {
      const { rows } = await withClient(url, (c) =>
        c.query<{ pid: number; state: string; waiting: boolean; seconds: number; query: string }>(
          `SELECT pid, state, wait_event_type = 'Lock' AS waiting, query,
                  round(extract(epoch FROM now() - query_start))::int AS seconds
             FROM pg_stat_activity WHERE pid IN ($1, $2)`,
          [Number(pid), Number(holder)],
        ),
      );
      if (!rows.some((r) => String(r.pid) === pid && r.waiting)) {
        waits.delete(pid);
        return;
      }
      print(`[${pid}] ${wait.text} (still waiting after ${longWaitMs / 1000} s)`);
      for (const r of rows.filter((r) => String(r.pid) === holder))
        print(`[${holder}] holds it, ${r.state} for ${r.seconds} s, running: ${r.query}`);
    } catch (error) {
      print(`[${pid}] ${wait.text} (pg_stat_activity not read: ${String(error)})`);
    }
  };

  const timer = setInterval(() => {
    // A record ends where the next begins; one the server wrote a second ago has ended.
    if (record !== undefined && Date.now() - record.at >= 1_000) finish();
    const url = serverUrl();
    for (const [pid, wait] of waits) {
      if (wait.printed || Date.now() - wait.since < longWaitMs) continue;
      wait.printed = true;
      if (url !== undefined) void reportWait(url, pid, wait);
    }
  }, 1_000);
  timer.unref();

  return {
    feed(chunk: string) {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        const start = RECORD_START.exec(line);
        if (start === null) {
          if (record !== undefined) record.text += `\n${line}`;
          continue;
        }
        finish();
        record = { pid: start[1]!, level: start[2]!, text: start[3]!, at: Date.now() };
      }
    },
    stop() {
      clearInterval(timer);
      finish();
    },
  };
}
