// The Grafana dashboard and the example alert rules in docs/ query only
// series the app serves: a renamed or dropped series fails here, not on a
// dashboard nobody is looking at.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { appMetrics } from "./registry";

const served = () =>
  new Set(
    appMetrics()
      .registry.getMetricsAsArray()
      .map((m) => m.name),
  );
const queried = (text: string) => new Set(text.match(/\bfleet_[a-z_]+\b/g) ?? []);

describe("docs/ dashboards and rules", () => {
  it("the Grafana dashboard is JSON whose queries name served series, each panel with a query", () => {
    const dashboard = JSON.parse(readFileSync("docs/grafana-dashboard.json", "utf8")) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    const names = served();
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets)
        for (const name of queried(expr)) expect(names, `${panel.title}: ${name}`).toContain(name);
    }
    const all = new Set(
      dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...queried(t.expr)])),
    );
    // What the dashboard is for: the fleet, ingest, incidents, alerts and the outbox.
    for (const name of [
      "fleet_clients",
      "fleet_ingest_events_total",
      "fleet_incidents_open",
      "fleet_alerts_firing",
      "fleet_alert_outbox_pending",
    ])
      expect(all).toContain(name);
  });

  it("the example alert rules name served series only", () => {
    const rules = readFileSync("docs/prometheus-alerts.yml", "utf8");
    const names = served();
    const used = [...queried(rules)].filter((n) => !n.startsWith("fleet_presence"));
    expect(used.length).toBeGreaterThan(3);
    for (const name of used) expect(names).toContain(name);
  });
});
