import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";
import { unitTests } from "./test/support/unit-tests";

const UNIT = process.env.TESTS === "unit";
const TEST_DIRS = ["lib", "app", "scripts", "components", "test", "contract"];
const root = fileURLToPath(new URL("./", import.meta.url));

/**
 * Tests that need a production build (`*.app.test.ts` and the ones that
 * start the app), or start brokers, bridges and other processes: the full
 * run includes them, `npm run check` (TESTS=unit) leaves them out to stay
 * under a minute, as it leaves out every test that reaches the database
 * (test/support/unit-tests.ts). Name a new app-level test `*.app.test.ts`.
 */
const SLOW_TESTS = [
  "**/*.app.test.ts",
  "lib/security/client-bundle.test.ts", // reads the built client bundle
  "lib/auth/auth.test.ts",
  "lib/auth/oidc.test.ts",
  "lib/stream/fan-out.test.ts",
  "lib/simulator/**",
  "lib/process/**",
  "test/soak/**",
  "test/support/app-server.test.ts",
];

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL("./", import.meta.url)),
      // Tests import server modules directly; outside a React server bundle the
      // package throws by design, so tests get its server build (an empty module).
      "server-only": fileURLToPath(new URL("./node_modules/server-only/empty.js", import.meta.url)),
    },
  },
  test: {
    include: UNIT ? unitTests(root, TEST_DIRS) : TEST_DIRS.map((dir) => `${dir}/**/*.test.ts`),
    exclude: [...configDefaults.exclude, ...(UNIT ? SLOW_TESTS : [])],
    // Unit tests need no database: no server to start, no migrations to run.
    globalSetup: UNIT ? [] : ["./test/support/global-setup.ts"],
    setupFiles: ["./test/support/setup-env.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites share one database; files run one after another.
    // Unit tests share nothing and run side by side.
    fileParallelism: UNIT,
    // Unit tests share no state either (no database, no env they change), so
    // their files need no fresh module graph each: worker threads that reuse
    // one spare the per-file startup and imports, most of the unit run's time.
    // The full run keeps the default isolation for its stateful suites.
    ...(UNIT ? { pool: "threads", isolate: false } : {}),
  },
});
