// GET /metrics reports firing alerts and the outbox backlog from the database.
import { beforeEach, describe, expect, it } from "vitest";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { appMetrics } from "../metrics/registry";
import { resetDatabase } from "../../test/support/db";
import { dropClients, insertChannel, insertRule, resetAlerts } from "../../test/support/alerts-db";
import { alertsConfig } from "./config";
import { evaluateRules } from "./evaluate";

beforeEach(async () => {
  await resetDatabase();
  await resetAlerts();
});

describe("alert metrics", () => {
  it("fleet_alerts_firing and fleet_alert_outbox_pending count what the database holds", async () => {
    const channelId = await insertChannel({
      type: "webhook",
      url: "http://127.0.0.1:9/x",
      secret: "k",
    });
    await insertRule({ kind: "client_offline", channelIds: [channelId] });
    await dropClients(["m-1", "m-2", "m-3"]);
    await evaluateRules(
      db().pool,
      new Date(),
      presenceConfig(),
      alertsConfig({} as NodeJS.ProcessEnv),
    );
    const text = await appMetrics().registry.metrics();
    expect(text).toMatch(/^fleet_alerts_firing 3$/m);
    expect(text).toMatch(/^fleet_alert_outbox_pending 3$/m);
  });
});
