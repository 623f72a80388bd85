import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * Tests that need a production build (`*.app.test.ts` and the ones that
 * start the app), or start brokers, bridges and other processes: the full
 * run includes them, `npm run check` (TESTS=unit) leaves them out to stay
 * under a minute. Name a new app-level test `*.app.test.ts`.
 */
const SLOW_TESTS = [
  "**/*.app.test.ts",
  "lib/auth/auth.test.ts",
  "lib/auth/oidc.test.ts",
  "lib/stream/fan-out.test.ts",
  "lib/bridge/**",
  "lib/broker/**",
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
    include: [
      "lib/**/*.test.ts",
      "app/**/*.test.ts",
      "scripts/**/*.test.ts",
      "components/**/*.test.ts",
      "test/**/*.test.ts",
      "contract/**/*.test.ts",
    ],
    exclude: [...configDefaults.exclude, ...(process.env.TESTS === "unit" ? SLOW_TESTS : [])],
    globalSetup: ["./test/support/global-setup.ts"],
    setupFiles: ["./test/support/setup-env.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites share one database; files run one after another.
    fileParallelism: false,
  },
});
