// A selector as the rule and silence forms type it and the tables show it:
// labels as `key:value, key:value` (the fleet page's label filter form).
import { formatLabelFilter, parseLabelFilter, type Labels } from "../../contract/labels";

/** Parses `site:berlin, tier:gold` into labels, or names the problem. */
export function parseLabelsText(text: string): Labels | string {
  const labels: Labels = {};
  for (const part of text.split(",")) {
    const trimmed = part.trim();
    if (trimmed === "") continue;
    const parsed = parseLabelFilter(trimmed);
    if (typeof parsed === "string") return parsed;
    labels[parsed.key] = parsed.value;
  }
  return labels;
}

/** The selector in one line: the glob and the labels, or `fallback` when it selects everything. */
export function describeSelector(
  selector: { clientIdPattern?: string; labels?: Labels } | null | undefined,
  fallback: string,
): string {
  const parts: string[] = [];
  if (selector?.clientIdPattern !== undefined) parts.push(selector.clientIdPattern);
  const labels = Object.entries(selector?.labels ?? {}).map(([key, value]) =>
    formatLabelFilter({ key, value }),
  );
  if (labels.length > 0) parts.push(labels.join(", "));
  return parts.length === 0 ? fallback : parts.join(" · ");
}
