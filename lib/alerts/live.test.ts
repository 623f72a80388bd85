// Browsers learn of alert changes live: an evaluation that fires an alert
// (in any instance) reaches the stream hub as an `alerts` event.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { changeHub } from "../stream/hub";
import { resetDatabase } from "../../test/support/db";
import { dropClients, insertRule, resetAlerts } from "../../test/support/alerts-db";
import { alertsConfig } from "./config";
import { evaluateRules } from "./evaluate";

let unsubscribe = () => {};
beforeEach(async () => {
  await resetDatabase();
  await resetAlerts();
});
afterEach(() => unsubscribe());

describe("live alert updates", () => {
  it("an alert that fires is pushed to stream subscribers with the firing count", async () => {
    const chunks: string[] = [];
    unsubscribe = changeHub().subscribe((chunk) => chunks.push(chunk));
    const deadline = Date.now() + 5_000;
    while (!changeHub().isListening && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await insertRule({ kind: "client_offline" });
    await dropClients(["live-1", "live-2"]);
    await evaluateRules(
      db().pool,
      new Date(),
      presenceConfig(),
      alertsConfig({} as NodeJS.ProcessEnv),
    );
    while (!chunks.some((c) => c.startsWith("event: alerts")) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(chunks.filter((c) => c.startsWith("event: alerts"))).toEqual([
      'event: alerts\ndata: {"firing":2}\n\n',
    ]);
  });
});
