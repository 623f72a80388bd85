// The connection pools of a process: the main one, shared by Prisma (through
// the pg adapter) and the set-based SQL of ingest and queries, and a small
// one for CSV exports alone, whose connections live as long as a download.
// No "server-only" here: Playwright's setup (no react-server condition)
// reaches it through test/support/db.ts; every module that uses it has it.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { exportLimits } from "../export/limits";
import { PrismaClient } from "../generated/prisma/client";
import { bindReadsToRequests } from "./request-reads";

export interface Database {
  pool: pg.Pool;
  prisma: PrismaClient;
  /**
   * Connections for CSV exports only (as many as EXPORT_MAX_CONCURRENT): a
   * download held open by a slow reader must never take a connection that
   * sessions, ingest or health need (lib/export/limits.ts).
   */
  exportPool: pg.Pool;
  close(): Promise<void>;
}

export function createDatabase(url: string, max = 10): Database {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000 });
  // An idle client whose server went away emits 'error'; the pool replaces it.
  pool.on("error", () => {});
  // An API GET's reads end with its request (cancelled on abort and at QUERY_TIMEOUT_MS).
  bindReadsToRequests(pool);
  const exportPool = new pg.Pool({
    connectionString: url,
    max: exportLimits().total,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 10_000,
  });
  exportPool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    pool,
    prisma,
    exportPool,
    async close() {
      await prisma.$disconnect();
      await Promise.all([pool.end(), exportPool.end()]);
    },
  };
}

const globalForDb = globalThis as unknown as { fleetDatabase?: Database };

/** The process-wide database (one per process, kept across Next.js hot reloads). */
export function db(): Database {
  if (globalForDb.fleetDatabase === undefined) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set");
    globalForDb.fleetDatabase = createDatabase(url, Number(process.env.DATABASE_POOL_SIZE ?? 10));
  }
  return globalForDb.fleetDatabase;
}
