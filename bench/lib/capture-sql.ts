// Runs lib/ read functions in this process against a given database while
// recording the SQL they send through the shared pool, so the benchmark can
// EXPLAIN (ANALYZE) exactly what the app runs — no copy of the SQL to drift.
import pg from "pg";
import { createDatabase, type Database } from "../../lib/db/client";

export interface CapturedQuery {
  text: string;
  values: unknown[];
}

type QueryFn = (text: unknown, values?: unknown, callback?: unknown) => unknown;

const globalForDb = globalThis as unknown as { fleetDatabase?: Database };

export class SqlCapture {
  private readonly database: Database;
  private captured: CapturedQuery[] | null = null;

  constructor(url: string) {
    this.database = createDatabase(url, 2);
    const pool = this.database.pool as unknown as { query: QueryFn };
    const original = pool.query.bind(this.database.pool);
    pool.query = (text, values, callback) => {
      if (this.captured !== null && typeof text === "string") {
        this.captured.push({ text, values: Array.isArray(values) ? values : [] });
      }
      return original(text, values, callback);
    };
    // lib/db/client's db() returns this process-wide instance.
    globalForDb.fleetDatabase = this.database;
  }

  /** Runs `fn` and returns the SQL it sent through pool.query (Prisma's own calls excepted). */
  async capture(fn: () => Promise<unknown>): Promise<CapturedQuery[]> {
    this.captured = [];
    try {
      await fn();
      return this.captured;
    } finally {
      this.captured = null;
    }
  }

  async explain(q: CapturedQuery): Promise<string> {
    const client = await this.database.pool.connect();
    try {
      const result = await client.query<{ "QUERY PLAN": string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${q.text}`,
        q.values,
      );
      return result.rows.map((r) => r["QUERY PLAN"]).join("\n");
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (globalForDb.fleetDatabase === this.database) delete globalForDb.fleetDatabase;
    await this.database.close();
  }
}

/** Inlines $n parameters as literals (COPY takes no parameters). */
export function inlineParams(
  client: pg.ClientBase,
  text: string,
  values: readonly unknown[],
): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const v = values[Number(n) - 1];
    if (v === null || v === undefined) return "NULL";
    if (v instanceof Date) return client.escapeLiteral(v.toISOString());
    if (typeof v === "number") return String(v);
    if (typeof v === "string") return client.escapeLiteral(v);
    if (typeof v === "boolean" || typeof v === "bigint") return String(v);
    return client.escapeLiteral(JSON.stringify(v));
  });
}

/**
 * `statement` as one literal SQL text for COPY (which takes no parameters):
 * inlineParams writes arrays as JSON, so text[] values go in as ARRAY[…].
 */
export function inlineForCopy(
  c: Parameters<typeof inlineParams>[0],
  statement: { text: string; values: readonly unknown[] },
): string {
  const arrays: string[] = [];
  const values = statement.values.map((v) => {
    if (!Array.isArray(v)) return v;
    arrays.push(`ARRAY[${v.map((x) => c.escapeLiteral(String(x))).join(", ")}]::text[]`);
    return `__array_param_${arrays.length - 1}__`;
  });
  let text = inlineParams(c, statement.text, values);
  arrays.forEach((a, i) => {
    text = text.replace(c.escapeLiteral(`__array_param_${i}__`), a);
  });
  return text;
}
