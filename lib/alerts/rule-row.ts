// A rule as the scheduler and the API read it from alert_rule.
import type { AlertKind } from "./reference";
import { globToLike, type Selector } from "./selector";

export interface RuleRow {
  id: string;
  name: string;
  kind: AlertKind;
  selector: Selector;
  for_seconds: number;
  threshold: number | null;
  threshold_share: number | null;
  window_seconds: number | null;
  channel_ids: string[];
  enabled: boolean;
  evaluated_until: Date | null;
  failure_event_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The rule's clientIdPattern as a LIKE pattern; `%` (everything) without one. */
export function ruleLike(rule: Pick<RuleRow, "selector">): string {
  const pattern = rule.selector.clientIdPattern;
  return pattern === undefined ? "%" : globToLike(pattern);
}

/** The rule's labels as the JSON its SQL compares with (`{}`: no label condition). */
export function ruleLabels(rule: Pick<RuleRow, "selector">): string {
  return JSON.stringify(rule.selector.labels ?? {});
}
