// Turns a POST /api/ingest body into validated events and specific rejections.
import { hash } from "node:crypto";
import { describeIssues, ServiceError } from "../errors";
import { sourceOfPayload, type Source } from "../../contract/sources";
import type { LifecycleEvent } from "../presence/types";
import {
  FUTURE_TIMESTAMP_ERROR,
  MAX_FUTURE_SKEW_MS,
  parseLifecycleTopic,
  PayloadSchema,
  TOPIC_PREFIXES,
  type Payload,
} from "./schemas";

export interface AcceptedItem {
  index: number;
  topic: string;
  event: LifecycleEvent;
  /**
   * The payload as received, unknown fields included, as canonical JSON (keys
   * sorted): hashed for the dedupe key, and what is stored. The parsed object
   * itself is not kept: a batch's items live across its database round trips,
   * and without it far fewer of their objects survive into the old generation.
   */
  canonical: string;
  /** Identical events (same canonical payload) share this key and are stored once. */
  dedupeKey: string;
  /** Which broker the event came from (contract/sources.ts). */
  source: Source;
}

export interface RejectedItem {
  index: number;
  topic: string | null;
  error: string;
  /** The item exactly as it came, for the quarantine. */
  rawText: string;
}

export interface ParsedBatch {
  accepted: AcceptedItem[];
  rejected: RejectedItem[];
}

/**
 * How deeply arrays and objects may nest, counting the batch array and the
 * envelope. A lifecycle payload needs 4 levels; the bound is for unknown
 * fields. JSON.parse itself copes with any depth, but everything after it
 * that walks the value (JSON.stringify, dedupe keys, jsonb) recurses and
 * would overflow its stack on a body of a few thousand `[`.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Items per batch. Real events are ~250 bytes, so 1 MiB holds ~4,000; a body
 * of 500,000 `1,` would otherwise cost seconds and a 27 MB answer listing
 * each rejection. Senders split (the bridge sends up to 1,000 at a time).
 */
export const MAX_BATCH_ITEMS = 10_000;

/** Whether arrays/objects in `value` nest deeper than `max` levels (iterative: no recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { value: v, depth } = top;
    if (typeof v !== "object" || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === "object" && child !== null)
        stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}

/** The body must be one envelope, an array of envelopes, or a bare payload. */
export function parseBody(text: string): unknown[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ServiceError("invalid_json", `Body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof body !== "object" || body === null) {
    throw new ServiceError(
      "invalid_body",
      "Body must be a JSON object (an envelope or a payload) or an array of envelopes.",
    );
  }
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new ServiceError(
      "invalid_body",
      `Body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels; lifecycle events need 4.`,
    );
  }
  if (!Array.isArray(body)) return [body];
  if (body.length > MAX_BATCH_ITEMS) {
    throw new ServiceError(
      "payload_too_large",
      `Body holds ${body.length} items; a batch may hold at most ${MAX_BATCH_ITEMS}. Send smaller batches.`,
    );
  }
  return body;
}

/** JSON with object keys sorted, so that key order does not defeat dedupe. */
export function canonicalJson(value: unknown): string {
  // Stored dedupe keys depend on this exact text: keys sorted by UTF-16 code
  // units, no whitespace, JSON.stringify's escapes. Loops and string
  // appends instead of map/join: it runs for every event on the ingest path.
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i += 1) out += (i === 0 ? "" : ",") + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i]!;
    out += `${i === 0 ? "" : ","}${JSON.stringify(key)}:${canonicalJson(record[key])}`;
  }
  return `${out}}`;
}

/** A UUID-shaped SHA-256 prefix: 128 bits is plenty against accidental collisions. */
export function dedupeKeyOf(payload: unknown): string {
  return dedupeKeyOfCanonical(canonicalJson(payload));
}

/** The dedupe key of a payload already in canonical JSON (see `canonicalJson`). */
function dedupeKeyOfCanonical(canonical: string): string {
  // One-shot hash: several times cheaper than createHash().update().digest() for a few hundred bytes.
  const hex = hash("sha256", canonical, "hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Echoes of sender text in messages stay short: a topic may be as long as the body. */
const MAX_ECHO_CHARS = 200;

function echo(text: string): string {
  return text.length <= MAX_ECHO_CHARS
    ? text
    : `${text.slice(0, MAX_ECHO_CHARS)}… (${text.length} characters)`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Issues named in one rejection: a topics array of 100,000 numbers must not yield a 4 MB reason. */
const MAX_ISSUES_NAMED = 5;

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * PostgreSQL text and jsonb cannot hold NUL characters or unpaired UTF-16
 * surrogates, and JSON has no Infinity (a literal like 1e999 parses to it and
 * would be stored as null): name the first such value instead of failing the
 * whole batch or changing the payload. Recursion is safe: depth is bounded
 * by MAX_JSON_DEPTH before this runs.
 */
function findUnstorableText(value: unknown, path: string): string | null {
  if (typeof value === "number") {
    return Number.isFinite(value)
      ? null
      : `${path} is a number beyond the range of a double, which cannot be kept exactly`;
  }
  if (typeof value === "string") {
    if (value.includes("\0"))
      return `${path} contains a NUL character (\\u0000), which cannot be stored`;
    if (LONE_SURROGATE.test(value))
      return `${path} contains an unpaired UTF-16 surrogate, which is not valid Unicode`;
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findUnstorableText(value[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      const found =
        findUnstorableText(key, `${path} key`) ?? findUnstorableText(child, `${path}.${echo(key)}`);
      if (found !== null) return found;
    }
  }
  return null;
}

/** The quarantine keeps the raw text; NULs and lone surrogates are kept as visible escapes. */
export function storableRawText(text: string): string {
  return text
    .replace(/\0/g, "\\u0000")
    .replace(/[\uD800-\uDFFF]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * An item a source's mapping could not turn into a lifecycle payload (a
 * vendor message of the wrong shape): rejected and quarantined like any bad
 * item, with the mapping's reason and the vendor's original. A class, not
 * a JSON shape, so no request body can pose as one.
 */
export class UnmappableItem {
  constructor(
    readonly error: string,
    readonly raw: unknown,
  ) {}
}

type ItemResult =
  | { ok: true; topic: string; raw: Record<string, unknown>; event: LifecycleEvent }
  | { ok: false; topic: string | null; error: string };

function parseItem(item: unknown, now: number): ItemResult {
  if (item instanceof UnmappableItem) return { ok: false, topic: null, error: item.error };
  if (!isRecord(item)) return { ok: false, topic: null, error: "item must be a JSON object" };
  let topic: string | null = null;
  let payload: unknown = item;
  if ("topic" in item || "payload" in item) {
    if (typeof item.topic !== "string")
      return { ok: false, topic: null, error: "topic must be a string" };
    topic = item.topic;
    payload = item.payload;
    if (typeof payload === "string") {
      try {
        payload = JSON.parse(payload);
      } catch (error) {
        return {
          ok: false,
          topic,
          error: `payload is not valid JSON: ${(error as Error).message}`,
        };
      }
      // The body's depth check did not see inside the string.
      if (nestsDeeperThan(payload, MAX_JSON_DEPTH - 2)) {
        return {
          ok: false,
          topic,
          error: `payload nests arrays and objects deeper than ${MAX_JSON_DEPTH - 2} levels`,
        };
      }
    }
  }
  if (!isRecord(payload)) return { ok: false, topic, error: "payload must be a JSON object" };
  const unstorable = findUnstorableText(payload, "payload");
  if (unstorable !== null) return { ok: false, topic, error: unstorable };
  const parsed = PayloadSchema.safeParse(payload);
  if (!parsed.success)
    return { ok: false, topic, error: describeIssues(parsed.error, { max: MAX_ISSUES_NAMED }) };
  const p = parsed.data;
  if (p.timestamp > now + MAX_FUTURE_SKEW_MS)
    return { ok: false, topic, error: FUTURE_TIMESTAMP_ERROR };
  if (topic === null) {
    topic = TOPIC_PREFIXES[p.eventType] + p.clientId;
  } else {
    const fromTopic = parseLifecycleTopic(topic);
    if (fromTopic === null) {
      return {
        ok: false,
        topic,
        error: `topic '${echo(topic)}' is not an AWS IoT lifecycle event topic`,
      };
    }
    if (fromTopic.eventType !== p.eventType) {
      return {
        ok: false,
        topic,
        error: `topic says eventType '${fromTopic.eventType}' but payload says '${p.eventType}'`,
      };
    }
    if (fromTopic.clientId !== p.clientId) {
      return {
        ok: false,
        topic,
        error: `topic says clientId '${echo(fromTopic.clientId)}' but payload says '${p.clientId}'`,
      };
    }
  }
  return { ok: true, topic, raw: payload, event: toEvent(p) };
}

/** The model's event: every field present (null where the type has none), built in one allocation. */
function toEvent(p: Payload): LifecycleEvent {
  const connection =
    p.eventType === "connected" ||
    p.eventType === "disconnected" ||
    p.eventType === "connect_failed";
  return {
    eventType: p.eventType,
    clientId: p.clientId,
    timestamp: p.timestamp,
    sessionIdentifier: p.sessionIdentifier,
    principalIdentifier: p.principalIdentifier,
    versionNumber: connection ? p.versionNumber : null,
    clientInitiatedDisconnect: p.eventType === "disconnected" ? p.clientInitiatedDisconnect : null,
    disconnectReason: p.eventType === "disconnected" ? p.disconnectReason : null,
    ipAddress: p.eventType === "connected" || p.eventType === "connect_failed" ? p.ipAddress : null,
    thingName: p.thingName,
    topics: p.eventType === "subscribed" || p.eventType === "unsubscribed" ? p.topics : null,
    connectFailureReason: p.eventType === "connect_failed" ? p.connectFailureReason : null,
  };
}

function rawTextOf(item: unknown): string {
  return typeof item === "string" ? item : (JSON.stringify(item) ?? String(item));
}

export function parseItems(items: readonly unknown[], now: number): ParsedBatch {
  const batch: ParsedBatch = { accepted: [], rejected: [] };
  items.forEach((item, index) => {
    const result = parseItem(item, now);
    if (result.ok) {
      const canonical = canonicalJson(result.raw);
      batch.accepted.push({
        index,
        topic: result.topic,
        event: result.event,
        canonical,
        dedupeKey: dedupeKeyOfCanonical(canonical),
        source: sourceOfPayload(result.raw),
      });
    } else {
      // The topic, and messages that quote sender text (a JSON.parse error
      // quotes the input), may hold NULs or lone surrogates too.
      batch.rejected.push({
        index,
        topic: result.topic === null ? null : storableRawText(result.topic),
        error: storableRawText(result.error),
        rawText: storableRawText(rawTextOf(item instanceof UnmappableItem ? item.raw : item)),
      });
    }
  });
  return batch;
}
