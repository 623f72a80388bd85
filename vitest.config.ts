import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    include: [
      "lib/**/*.test.ts",
      "app/**/*.test.ts",
      "scripts/**/*.test.ts",
      "components/**/*.test.ts",
      "test/**/*.test.ts",
      "contract/**/*.test.ts",
    ],
    globalSetup: ["./test/support/global-setup.ts"],
    setupFiles: ["./test/support/setup-env.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites share one database; files run one after another.
    fileParallelism: false,
  },
});
