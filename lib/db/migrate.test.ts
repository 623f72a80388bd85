import pg from "pg";
import { inject, describe, expect, it } from "vitest";
import { migrate } from "./migrate";

describe("migrate", () => {
  it("is idempotent and safe to run concurrently", async () => {
    const url = inject("databaseUrl");
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    for (const r of results) expect(r.applied).toEqual([]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const rows = await client.query(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"`,
    );
    await client.end();
    expect(rows.rows.length).toBeGreaterThan(0);
    for (const row of rows.rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    expect(new Set(rows.rows.map((r) => r.migration_name)).size).toBe(rows.rows.length);
  });
});
