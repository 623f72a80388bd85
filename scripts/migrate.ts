// npm run db:migrate: applies prisma/migrations to DATABASE_URL.
import { migrate } from "../lib/db/migrate";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set: npm run db:migrate needs the database to migrate.");
  process.exit(2);
}
const result = await migrate(url);
console.log(
  `migrations: ${result.applied.length} applied (${result.applied.join(", ") || "none"}), ${result.skipped.length} already applied`,
);
