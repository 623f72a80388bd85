// The label rules, shared by the browser and the server without zod: what a
// key and a value may be, and the `label=key:value` filter's form. The
// database checks the same rules (migration 20261203140000_client_label).

/** Lower-case letters and digits first, then also `_`, `.`, `-`; at most 63 characters. */
export const LABEL_KEY_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
export const MAX_LABEL_VALUE_CHARS = 256;
/** Labels one client may carry: enough for site, customer, firmware…, small enough for every list row. */
export const MAX_LABELS_PER_CLIENT = 64;
/** `label=` filters one request may combine. */
export const MAX_LABEL_FILTERS = 8;

export type Labels = Record<string, string>;

export interface LabelFilter {
  key: string;
  value: string;
}

/** Characters as PostgreSQL's char_length counts them (code points, not UTF-16 units). */
export function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

/** What is wrong with a label key, or null. */
export function labelKeyProblem(key: string): string | null {
  if (LABEL_KEY_PATTERN.test(key)) return null;
  const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  return `label key '${shown}' must match [a-z0-9][a-z0-9_.-]{0,62} (lower-case letters, digits, '_', '.', '-'; at most 63 characters, starting with a letter or digit)`;
}

/** What is wrong with a label value, or null. */
export function labelValueProblem(key: string, value: string): string | null {
  const n = charCount(value);
  if (n === 0)
    return `label '${key}' has an empty value (values are 1 to ${MAX_LABEL_VALUE_CHARS} characters)`;
  if (n > MAX_LABEL_VALUE_CHARS)
    return `label '${key}' value is ${n} characters; at most ${MAX_LABEL_VALUE_CHARS} are allowed`;
  if (value.includes("\0"))
    return `label '${key}' value must not contain a NUL character (\\u0000)`;
  return null;
}

/** Parses `key:value` (the value may itself hold ':'), or names the problem. */
export function parseLabelFilter(text: string): LabelFilter | string {
  const colon = text.indexOf(":");
  if (colon < 0) return `label filter '${text.slice(0, 64)}' must be key:value`;
  const key = text.slice(0, colon);
  const value = text.slice(colon + 1);
  return labelKeyProblem(key) ?? labelValueProblem(key, value) ?? { key, value };
}

/** The URL form of a filter. */
export function formatLabelFilter(filter: LabelFilter): string {
  return `${filter.key}:${filter.value}`;
}
