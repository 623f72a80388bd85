// Rules the schemas cannot state alone: what each kind needs, and what is
// not available in this build (labels, incidents).
import { ServiceError } from "../errors";
import type { AlertKind } from "./reference";
import type { Selector } from "./selector";

export interface RuleShape {
  kind: AlertKind;
  selector: Selector;
  threshold: number | null;
  thresholdShare: number | null;
  windowSeconds: number | null;
}

const bad = (message: string) => new ServiceError("invalid_body", message);

export function checkSelector(selector: Selector | undefined, field = "selector"): void {
  if (selector?.labels !== undefined && Object.keys(selector.labels).length > 0) {
    throw bad(
      `${field}.labels: client labels are not available yet in this version; select clients with clientIdPattern.`,
    );
  }
}

export function checkRule(rule: RuleShape): void {
  checkSelector(rule.selector);
  switch (rule.kind) {
    case "incident":
      throw bad(
        "kind: incident rules are not available yet (the incident detector is not part of this version).",
      );
    case "connect_failed":
      if (rule.threshold === null || !Number.isInteger(rule.threshold))
        throw bad("threshold: connect_failed rules need a whole number of failed attempts.");
      if (rule.windowSeconds === null)
        throw bad(
          "windowSeconds: connect_failed rules need the window the attempts are counted in.",
        );
      return;
    case "fleet_online_below":
      if (rule.threshold === null && rule.thresholdShare === null)
        throw bad(
          "threshold: fleet_online_below rules need threshold (clients) or thresholdShare (0-1).",
        );
      return;
    case "client_flapping":
      if (rule.threshold !== null && !Number.isInteger(rule.threshold))
        throw bad("threshold: client_flapping counts disconnects, a whole number.");
      return;
    case "client_offline":
      return;
  }
}
