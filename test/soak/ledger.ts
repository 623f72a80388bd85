// Bookkeeping for the soak test: every lifecycle event the broker published
// (across broker instances), and what PostgreSQL holds, compared as multisets
// of canonical payload JSON.
import type pg from "pg";
import { canonical } from "../support/bridge-stack";

export interface LedgerCheck {
  published: number;
  distinctPublished: number;
  stored: number;
  missing: string[];
  storedTwice: string[];
  neverPublished: string[];
}

export class EventLedger {
  /** Canonical payloads in publication order. */
  readonly published: string[] = [];
  private readonly seen = new Set<string>();
  private maxId = 0;

  constructor(
    private readonly prefix: string,
    private readonly pool: () => pg.Pool,
  ) {}

  record(payload: Record<string, unknown>): void {
    if (String(payload.clientId).startsWith(this.prefix)) this.published.push(canonical(payload));
  }

  /**
   * Reads rows stored since the last poll. Identity values are handed out
   * before commit, so a batch may commit with lower ids than one already
   * seen: re-reading a margin below the highest id catches those.
   */
  private async poll(): Promise<void> {
    const { rows } = await this.pool().query<{ id: string; raw: unknown }>(
      "SELECT id, raw FROM lifecycle_event WHERE id > $1 AND client_id LIKE $2",
      [Math.max(0, this.maxId - 5000), `${this.prefix}%`],
    );
    for (const r of rows) {
      this.seen.add(canonical(r.raw));
      this.maxId = Math.max(this.maxId, Number(r.id));
    }
  }

  /** Resolves once every event published before index `upTo` is stored; false on timeout. */
  async drained(upTo: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let from = 0;
    for (;;) {
      try {
        await this.poll();
        while (from < upTo && this.seen.has(this.published[from]!)) from += 1;
        if (from >= upTo) return true;
      } catch {
        // The database is away (a fault in progress): try again.
      }
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** The exactly-once verdict over everything stored for the prefix. */
  async check(): Promise<LedgerCheck> {
    const { rows } = await this.pool().query<{ raw: unknown }>(
      "SELECT raw FROM lifecycle_event WHERE client_id LIKE $1",
      [`${this.prefix}%`],
    );
    const stored = new Map<string, number>();
    for (const r of rows) {
      const key = canonical(r.raw);
      stored.set(key, (stored.get(key) ?? 0) + 1);
    }
    const distinct = new Set(this.published);
    return {
      published: this.published.length,
      distinctPublished: distinct.size,
      stored: rows.length,
      missing: [...distinct].filter((p) => !stored.has(p)),
      storedTwice: [...stored].filter(([, n]) => n > 1).map(([k]) => k),
      neverPublished: [...stored.keys()].filter((k) => !distinct.has(k)),
    };
  }
}
