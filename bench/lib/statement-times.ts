// Per-statement wall time of a pool's connections, for the ingest suite's
// breakdown of where the direct transaction's time goes.
import type pg from "pg";
import { round } from "./stats";

/**
 * Times every statement the direct path's pooled connections run, grouped by
 * the statement's first words, to show where the in-database time goes.
 */
export function timeStatements(pool: pg.Pool): { report(): string } {
  const totals = new Map<string, { ms: number; calls: number }>();
  pool.on("connect", (client) => {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (
      ...args: unknown[]
    ) => {
      const result = original(...args);
      const first = args[0] as string | { text?: unknown } | undefined;
      const text = typeof first === "object" && first !== null ? first.text : first;
      if (typeof text !== "string" || !(result instanceof Promise)) return result;
      const key = text.replace(/\s+/g, " ").trim().slice(0, 48);
      const started = performance.now();
      const record = () => {
        const t = totals.get(key) ?? { ms: 0, calls: 0 };
        t.ms += performance.now() - started;
        t.calls += 1;
        totals.set(key, t);
      };
      result.then(record, record);
      return result;
    };
  });
  return {
    report() {
      const all = [...totals.values()].reduce((a, t) => a + t.ms, 0);
      return [...totals.entries()]
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(
          ([key, t]) =>
            `  ${String(round((t.ms / all) * 100)).padStart(5)}%  ${round(t.ms / t.calls)} ms/call × ${t.calls}  ${key}`,
        )
        .join("\n");
    },
  };
}
