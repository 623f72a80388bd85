import { inject, describe, expect, it } from "vitest";
import { startApp } from "./app-server";

describe("startApp", () => {
  it("serves the built app against the test database and restarts it", async () => {
    const app = await startApp({ databaseUrl: inject("databaseUrl") });
    try {
      expect(await (await fetch(`${app.url}/api/health`)).json()).toEqual({ status: "ok" });
      await app.restart();
      expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});
