// Rules the schemas cannot state alone: what each kind needs.
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

export function checkRule(rule: RuleShape): void {
  switch (rule.kind) {
    case "incident":
      return;
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
