import { defineConfig } from "@playwright/test";
import { ADMIN_STATE } from "./e2e/support/auth";

// One port for the app under test. Unless E2E_PORT is given, the global
// setup starts the app on a free port and sets E2E_PORT to it before any
// worker starts: workers inherit the environment and read it here again.
if (process.env.E2E_PORT === undefined) {
  process.env.E2E_PORT = String(41_000 + Math.floor(Math.random() * 8_000));
  process.env.E2E_PORT_CHOSEN = "setup";
}

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  // Specs share one app and database; on two cores one worker is also the fastest.
  workers: 1,
  fullyParallel: false,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  retries: 0,
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : [["list"]],
  outputDir: "test-results/e2e",
  projects: [
    // Logs in once through the login page and saves the cookies for every other spec.
    { name: "login", testMatch: /auth\.setup\.ts$/ },
    { name: "e2e", dependencies: ["login"], use: { storageState: ADMIN_STATE } },
  ],
  use: {
    baseURL: `http://127.0.0.1:${process.env.E2E_PORT}`,
    browserName: "chromium",
    viewport: { width: 1440, height: 900 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Debian's Chromium: browsers cannot be downloaded here.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-quic",
        "--no-first-run",
        "--disable-sync",
      ],
    },
  },
});
