// The fleet list's contract, shared by the browser and the server without
// zod or any server module: what a list may be filtered and sorted by, its
// limits, and the order it comes in. lib/clients/schemas.ts builds the API's
// zod schema from these; the browser reads its URL with parseClientListParams.

import { formatLabelFilter, MAX_LABEL_FILTERS, parseLabelFilter, type LabelFilter } from "./labels";
import { isSource, type Source } from "./sources";

export const STATUSES = ["online", "pending", "offline"] as const;
export type Status = (typeof STATUSES)[number];

export const SORTS = ["clientId", "lastChange"] as const;
export type Sort = (typeof SORTS)[number];

export const ORDERS = ["asc", "desc"] as const;
export type Order = (typeof ORDERS)[number];

/** `q` is at most this many characters: a client ID is at most 128 bytes. */
export const MAX_SEARCH_CHARS = 128;

/** Page sizes the API accepts, and its default. */
export const LIST_LIMIT = { min: 1, max: 500, default: 50 } as const;

/** The browser's first page is small so rows paint sooner; scrolling loads larger pages. */
export const FIRST_PAGE_SIZE = 50;
export const NEXT_PAGE_SIZE = 200;

/** Filters of the fleet list, exactly as they appear in the URL and the API. */
export interface ClientListParams {
  q?: string | undefined;
  status?: Status | undefined;
  /** `flapping=true`: only clients flagged as flapping; `false`: only those not flagged. */
  flapping?: boolean | undefined;
  /** `source=aws|emqx|azure`: only clients whose events come from there. */
  source?: Source | undefined;
  /** `label=key:value`, repeatable: a client must carry every one. */
  label?: LabelFilter[] | undefined;
  sort?: Sort | undefined;
  order?: Order | undefined;
}

/** The sort when none is given: the most recent change first. */
export const DEFAULT_SORT: Sort = "lastChange";

/** The order when none is given: IDs A to Z, changes newest first. */
export function defaultOrder(sort: Sort): Order {
  return sort === "clientId" ? "asc" : "desc";
}

const isOneOf =
  <T extends string>(values: readonly T[]) =>
  (value: string | null): value is T =>
    value !== null && (values as readonly string[]).includes(value);

export const isStatus = isOneOf(STATUSES);
export const isSort = isOneOf(SORTS);
export const isOrder = isOneOf(ORDERS);

/**
 * The list filters of a page URL, with anything unknown dropped rather than
 * sent to the API (which would answer 400): a shared link with a stale or
 * mistyped parameter still opens the list.
 */
export function parseClientListParams(search: URLSearchParams): ClientListParams {
  const q = search.get("q");
  const status = search.get("status");
  const sort = search.get("sort");
  const order = search.get("order");
  const flapping = search.get("flapping");
  const source = search.get("source");
  const label = search
    .getAll("label")
    .map(parseLabelFilter)
    .filter((f): f is LabelFilter => typeof f !== "string")
    .slice(0, MAX_LABEL_FILTERS);
  return {
    q: q ? q.slice(0, MAX_SEARCH_CHARS) : undefined,
    status: isStatus(status) ? status : undefined,
    flapping: flapping === "true" ? true : flapping === "false" ? false : undefined,
    source: isSource(source) ? source : undefined,
    sort: isSort(sort) ? sort : undefined,
    order: isOrder(order) ? order : undefined,
    label: label.length > 0 ? label : undefined,
  };
}

/** The query-key form: only the filters that are set (`label` as its repeated URL values). */
export type ListParamsRecord = Record<string, string | string[]>;

export function listParamsRecord(params: ClientListParams): ListParamsRecord {
  const record: ListParamsRecord = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === "label") continue;
    if (value !== undefined && value !== "") record[key] = String(value);
  }
  if (params.label !== undefined && params.label.length > 0)
    record.label = params.label.map(formatLabelFilter);
  return record;
}

/** The URL form of a record: a repeated parameter once per value. */
export function toSearchParams(
  record: Readonly<Record<string, string | string[] | undefined>>,
): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(record)) {
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else if (value !== undefined) search.set(key, value);
  }
  return search;
}

/**
 * Client IDs in PostgreSQL's order for them (the "C" collation: UTF-8 bytes,
 * which is code point order). JavaScript's `<` compares UTF-16 code units,
 * which puts U+E000–U+FFFF after every astral character: a list patched in
 * the browser would then disagree with the next page from the API.
 */
export function compareClientIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** A code unit's rank in code point order: surrogates (astral characters) above all of the BMP. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
