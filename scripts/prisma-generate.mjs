// Runs `prisma generate` offline. The Prisma CLI insists on a schema engine
// binary even though generation does not use it, and it cannot be downloaded
// here: point it at any existing file (this script) unless one is configured.
//
// `--if-stale`: generate only when the client is missing or was generated from
// another schema. `npm start`, `npm run dev` and the scripts that import the
// client call it first, so a fresh clone needs no step of its own after
// `npm install` (npm 11 runs no install scripts, and `lib/generated/` is not
// committed).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const schemaPath = `${root}prisma/schema.prisma`;
const clientPath = `${root}lib/generated/prisma/client.ts`;
const stampPath = `${root}lib/generated/schema.sha256`;

const schemaHash = createHash("sha256").update(readFileSync(schemaPath)).digest("hex");
const fresh =
  existsSync(clientPath) &&
  existsSync(stampPath) &&
  readFileSync(stampPath, "utf8").trim() === schemaHash;
if (process.argv.includes("--if-stale") && fresh) process.exit(0);

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
const result = spawnSync(
  process.execPath,
  [`${root}node_modules/prisma/build/index.js`, "generate"],
  {
    stdio: "inherit",
    env,
    cwd: root,
  },
);
if (result.status === 0) writeFileSync(stampPath, `${schemaHash}\n`);
process.exit(result.status ?? 1);
