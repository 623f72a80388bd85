// Turns a POST /api/ingest body into validated events and specific rejections.
import { createHash } from "node:crypto";
import type { z } from "zod";
import { ServiceError } from "../errors";
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
  /** The payload as received, unknown fields included. */
  raw: Record<string, unknown>;
  /** Identical events (same canonical payload) share this key and are stored once. */
  dedupeKey: string;
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

/** The body must be one envelope, an array of envelopes, or a bare payload. */
export function parseBody(text: string): unknown[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ServiceError("invalid_json", `Body is not valid JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(body)) return body;
  if (typeof body === "object" && body !== null) return [body];
  throw new ServiceError(
    "invalid_body",
    "Body must be a JSON object (an envelope or a payload) or an array of envelopes.",
  );
}

/** JSON with object keys sorted, so that key order does not defeat dedupe. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** A UUID-shaped SHA-256 prefix: 128 bits is plenty against accidental collisions. */
export function dedupeKeyOf(payload: unknown): string {
  const hex = createHash("sha256").update(canonicalJson(payload)).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join(".");
      return field && !issue.message.startsWith(field) ? `${field}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * PostgreSQL text and jsonb cannot hold NUL characters or unpaired UTF-16
 * surrogates: name the first such string instead of failing the whole batch.
 */
function findUnstorableText(value: unknown, path: string): string | null {
  if (typeof value === "string") {
    if (value.includes("\0")) return `${path} contains a NUL character (\\u0000), which cannot be stored`;
    if (LONE_SURROGATE.test(value)) return `${path} contains an unpaired UTF-16 surrogate, which is not valid Unicode`;
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
      const found = findUnstorableText(key, `${path} key`) ?? findUnstorableText(child, `${path}.${key}`);
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

type ItemResult =
  | { ok: true; topic: string; raw: Record<string, unknown>; event: LifecycleEvent }
  | { ok: false; topic: string | null; error: string };

function parseItem(item: unknown, now: number): ItemResult {
  if (!isRecord(item)) return { ok: false, topic: null, error: "item must be a JSON object" };
  let topic: string | null = null;
  let payload: unknown = item;
  if ("topic" in item || "payload" in item) {
    if (typeof item.topic !== "string") return { ok: false, topic: null, error: "topic must be a string" };
    topic = item.topic;
    payload = item.payload;
    if (typeof payload === "string") {
      try {
        payload = JSON.parse(payload);
      } catch (error) {
        return { ok: false, topic, error: `payload is not valid JSON: ${(error as Error).message}` };
      }
    }
  }
  if (!isRecord(payload)) return { ok: false, topic, error: "payload must be a JSON object" };
  const unstorable = findUnstorableText(payload, "payload");
  if (unstorable !== null) return { ok: false, topic, error: unstorable };
  const parsed = PayloadSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, topic, error: describeIssues(parsed.error) };
  const p = parsed.data;
  if (p.timestamp > now + MAX_FUTURE_SKEW_MS) return { ok: false, topic, error: FUTURE_TIMESTAMP_ERROR };
  if (topic === null) {
    topic = TOPIC_PREFIXES[p.eventType] + p.clientId;
  } else {
    const fromTopic = parseLifecycleTopic(topic);
    if (fromTopic === null) {
      return { ok: false, topic, error: `topic '${topic}' is not an AWS IoT lifecycle event topic` };
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
        error: `topic says clientId '${fromTopic.clientId}' but payload says '${p.clientId}'`,
      };
    }
  }
  return { ok: true, topic, raw: payload, event: toEvent(p) };
}

function toEvent(p: Payload): LifecycleEvent {
  const event: LifecycleEvent = {
    eventType: p.eventType,
    clientId: p.clientId,
    timestamp: p.timestamp,
    sessionIdentifier: p.sessionIdentifier,
    principalIdentifier: p.principalIdentifier,
    versionNumber: null,
    clientInitiatedDisconnect: null,
    disconnectReason: null,
    ipAddress: null,
    thingName: p.thingName,
    topics: null,
    connectFailureReason: null,
  };
  switch (p.eventType) {
    case "connected":
      return { ...event, versionNumber: p.versionNumber, ipAddress: p.ipAddress };
    case "disconnected":
      return {
        ...event,
        versionNumber: p.versionNumber,
        clientInitiatedDisconnect: p.clientInitiatedDisconnect,
        disconnectReason: p.disconnectReason,
      };
    case "subscribed":
    case "unsubscribed":
      return { ...event, topics: p.topics };
    case "connect_failed":
      return {
        ...event,
        versionNumber: p.versionNumber,
        ipAddress: p.ipAddress,
        connectFailureReason: p.connectFailureReason,
      };
  }
}

export function parseItems(items: readonly unknown[], now: number): ParsedBatch {
  const batch: ParsedBatch = { accepted: [], rejected: [] };
  items.forEach((item, index) => {
    const result = parseItem(item, now);
    if (result.ok) {
      batch.accepted.push({
        index,
        topic: result.topic,
        event: result.event,
        raw: result.raw,
        dedupeKey: dedupeKeyOf(result.raw),
      });
    } else {
      batch.rejected.push({
        index,
        topic: result.topic,
        error: result.error,
        rawText: storableRawText(typeof item === "string" ? item : (JSON.stringify(item) ?? String(item))),
      });
    }
  });
  return batch;
}
