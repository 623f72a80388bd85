// The whole fleet's counts for the live paths (GET /api/stats/summary, the
// list's first page, the stream's summaries, /metrics), counted once at a
// time per process and shared by whoever asks meanwhile.
//
// The counters make the total and `online` cheap, but `pending` is read live
// from the recent disconnects: in a storm that is the whole fleet, and at a
// million devices one count takes seconds. Every open page, the stream and
// a scrape asking at once used to run as many counts side by side, and
// ingest got what CPU they left (the 1M storm stored 850 events/s).
//
// The rule, with d the duration of the last count:
// - d < SLOW_MS (a quiet fleet, every test): a caller gets a count that
//   started after it asked (a write it made is in it); callers arriving
//   while one runs share the next one.
// - d ≥ SLOW_MS: a caller shares the running count, or gets the last one if
//   it finished less than 2·d ago. An answer is then at most 3·d old, and
//   counting takes at most a third of one connection's time.
import "server-only";

/** A count this slow switches callers to sharing and reuse. */
export const SLOW_MS = 250;

interface Last<T> {
  value: T;
  ms: number;
  doneAt: number;
}

/** `compute` behind the rule above; `now` is the clock (tests pass their own). */
export function sharedCount<T>(compute: () => Promise<T>, now: () => number = Date.now) {
  let running: Promise<T> | null = null;
  let next: Promise<T> | null = null;
  let last: Last<T> | null = null;

  const run = (): Promise<T> => {
    const started = now();
    const p = compute().then((value) => {
      last = { value, ms: now() - started, doneAt: now() };
      return value;
    });
    running = p;
    const clear = () => {
      if (running === p) running = null;
    };
    p.then(clear, clear);
    return p;
  };

  return (): Promise<T> => {
    const slow = last !== null && last.ms >= SLOW_MS;
    if (slow && last !== null && now() - last.doneAt < 2 * last.ms)
      return Promise.resolve(last.value);
    if (running === null) return run();
    if (slow) return running;
    // Any count started after this call will do: the next one, or one a
    // caller started in between.
    next ??= running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        next = null;
        return running ?? run();
      });
    return next;
  };
}
