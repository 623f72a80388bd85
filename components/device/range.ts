import { fromLocalInput } from "../format/time";

export const RANGE_KEYS = ["24h", "7d", "30d", "custom"] as const;
export type RangeKey = (typeof RANGE_KEYS)[number];

const SPANS: Record<Exclude<RangeKey, "custom">, number> = {
  "24h": 24 * 3_600_000,
  "7d": 7 * 24 * 3_600_000,
  "30d": 30 * 24 * 3_600_000,
};

export interface DeviceRange {
  key: RangeKey;
  /** For the query key: the preset, or the custom bounds as they are in the URL. */
  id: string;
  /** The instants, computed when called: a preset always ends "now". */
  bounds: () => { from: number; to: number };
  /** Custom bounds as typed (local datetime-local values). */
  fromInput: string;
  toInput: string;
}

/** The device page's range from the URL (`range`, and `from`/`to` for custom, local time). */
export function parseRange(search: URLSearchParams): DeviceRange {
  const raw = search.get("range");
  const key: RangeKey = RANGE_KEYS.includes(raw as RangeKey) ? (raw as RangeKey) : "24h";
  const fromInput = search.get("from") ?? "";
  const toInput = search.get("to") ?? "";
  if (key === "custom") {
    const from = fromLocalInput(fromInput);
    const to = fromLocalInput(toInput);
    if (from !== null && to !== null && from < to) {
      return { key, id: `custom:${from}:${to}`, bounds: () => ({ from, to }), fromInput, toInput };
    }
  }
  const preset = key === "custom" ? "24h" : key;
  const span = SPANS[preset];
  return {
    key: preset === key ? key : "custom",
    id: preset,
    bounds: () => {
      const to = Date.now();
      return { from: to - span, to };
    },
    fromInput,
    toInput,
  };
}
