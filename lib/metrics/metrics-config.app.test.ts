// A bad METRICS_LABEL_KEYS stops the real server at start, naming the
// variable, instead of failing every scrape with a 500 later.
import { describe, expect, inject, it } from "vitest";
import { startApp } from "../../test/support/app-server";

describe("METRICS_LABEL_KEYS at startup", () => {
  it("a key that is not a label key stops the start with a message naming the variable", async () => {
    let failure = "";
    try {
      const app = await startApp({
        databaseUrl: inject("databaseUrl"),
        env: { METRICS_LABEL_KEYS: "site,Not A Key" },
      });
      await app.stop();
    } catch (error) {
      failure = (error as Error).message;
    }
    expect(failure).toMatch(/next start exited with code 78/);
    expect(failure).toContain(
      "[config] Invalid configuration: METRICS_LABEL_KEYS: 'Not A Key' is not a label key",
    );
  }, 60_000);

  it("good keys start and scrape", async () => {
    const app = await startApp({
      databaseUrl: inject("databaseUrl"),
      env: { METRICS_LABEL_KEYS: "site, hw.rev", METRICS_TOKEN: "scrape-me" },
    });
    try {
      const response = await fetch(`${app.url}/metrics`, {
        headers: { Authorization: "Bearer scrape-me" },
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("fleet_clients{");
    } finally {
      await app.stop();
    }
  }, 60_000);
});
