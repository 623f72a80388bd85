// The one connection pool of a process, shared by Prisma (through the pg
// adapter) and by the set-based SQL of ingest and export.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client";

export interface Database {
  pool: pg.Pool;
  prisma: PrismaClient;
  close(): Promise<void>;
}

export function createDatabase(url: string, max = 10): Database {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000 });
  // An idle client whose server went away emits 'error'; the pool replaces it.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    pool,
    prisma,
    async close() {
      await prisma.$disconnect();
      await pool.end();
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
