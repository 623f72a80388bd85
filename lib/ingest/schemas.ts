// Validation of AWS IoT lifecycle payloads. Unknown extra fields pass
// through (they are kept in the raw JSON); everything the model relies on is
// checked, each with its own message.
import { z } from "zod";
import { EVENT_TYPES, type EventType } from "../presence/types";

/** The earliest timestamp we accept: 2000-01-01. Seconds-since-epoch values fall far below it. */
export const MIN_PLAUSIBLE_TIMESTAMP = Date.UTC(2000, 0, 1);
/** Device clocks may run ahead, but not by more than a day. */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;
export const MAX_CLIENT_ID_BYTES = 128;
/**
 * Session identifiers and subscription topics are parts of unique keys
 * (connection, subscription_state): a PostgreSQL btree entry cannot exceed
 * about 2.7 kB, so unbounded values would fail the whole batch. AWS sends a
 * UUID and topic filters of at most 256 bytes; these bounds leave headroom
 * for other brokers.
 */
export const MAX_SESSION_IDENTIFIER_BYTES = 256;
export const MAX_TOPIC_FILTER_BYTES = 1024;
/**
 * AWS sends at most 8 topic filters per subscribe (50 per connection): 150,000
 * one-letter topics in one event cost seconds to store and then ride along in
 * every client object of the list and the stream.
 */
export const MAX_TOPICS_PER_EVENT = 1000;

const utf8Bytes = (s: string) => Buffer.byteLength(s, "utf8");

export const TOPIC_PREFIXES: Record<EventType, string> = {
  connected: "$aws/events/presence/connected/",
  disconnected: "$aws/events/presence/disconnected/",
  connect_failed: "$aws/events/presence/connect_failed/",
  subscribed: "$aws/events/subscriptions/subscribed/",
  unsubscribed: "$aws/events/subscriptions/unsubscribed/",
};

/** Splits a lifecycle topic into its event type and client ID (which may contain `/`). */
export function parseLifecycleTopic(
  topic: string,
): { eventType: EventType; clientId: string } | null {
  for (const eventType of EVENT_TYPES) {
    const prefix = TOPIC_PREFIXES[eventType];
    if (topic.startsWith(prefix)) return { eventType, clientId: topic.slice(prefix.length) };
  }
  return null;
}

export const ClientId = z
  .string({ error: "clientId must be a string" })
  // A refine, not .min(1): zod runs length checks on a wrong-typed [] too,
  // adding "must not be empty" to "must be a string".
  .refine((id) => id.length > 0, "clientId must not be empty")
  .refine((id) => utf8Bytes(id) <= MAX_CLIENT_ID_BYTES, {
    error: `clientId must be at most ${MAX_CLIENT_ID_BYTES} bytes`,
  })
  .refine((id) => !id.includes("#") && !id.includes("+"), {
    // AWS never emits lifecycle events for such IDs: a claim of one is not genuine.
    error: "clientId must not contain '#' or '+' (AWS IoT sends no lifecycle events for them)",
  });

const optionalString = (name: string) =>
  z
    .string({ error: `${name} must be a string` })
    .nullish()
    .transform((v) => v ?? null);

/** The upper bound depends on the clock: parse.ts checks it against the batch's receive time. */
const Timestamp = z
  .number({ error: "timestamp must be a number (ms since epoch)" })
  // Not .int(): that also refuses integers past 2^53 with this message; the
  // future bound (parse.ts) names what is wrong with those.
  .refine(Number.isInteger, "timestamp must be an integer number of ms since epoch")
  .min(MIN_PLAUSIBLE_TIMESTAMP, "timestamp is not a plausible epoch-ms value (before 2000)");

export const FUTURE_TIMESTAMP_ERROR =
  "timestamp is not a plausible epoch-ms value (more than a day ahead)";

const VersionNumber = z
  .number({ error: "versionNumber must be a number" })
  .refine(Number.isInteger, "versionNumber must be an integer") // 2^60 is an integer, just too large
  .min(0, "versionNumber must not be negative")
  .max(Number.MAX_SAFE_INTEGER, "versionNumber is too large");

const SessionIdentifier = z
  .string({ error: "sessionIdentifier must be a string" })
  .refine((s) => s.length > 0, "sessionIdentifier must not be empty")
  .refine((s) => utf8Bytes(s) <= MAX_SESSION_IDENTIFIER_BYTES, {
    error: `sessionIdentifier must be at most ${MAX_SESSION_IDENTIFIER_BYTES} bytes`,
  });

const TopicFilter = z
  .string({ error: "topics must be an array of strings" })
  .refine((t) => utf8Bytes(t) <= MAX_TOPIC_FILTER_BYTES, {
    error: `topics must each be at most ${MAX_TOPIC_FILTER_BYTES} bytes`,
  });

/** One payload schema per event type, built once: ingest is a hot path. */
export const PayloadSchema = buildPayloadSchema();

function buildPayloadSchema() {
  const base = {
    clientId: ClientId,
    timestamp: Timestamp,
    principalIdentifier: optionalString("principalIdentifier"),
    thingName: optionalString("thingName"),
  };
  const presence = {
    ...base,
    sessionIdentifier: SessionIdentifier,
    versionNumber: VersionNumber,
  };
  return z.discriminatedUnion(
    "eventType",
    [
      z.looseObject({
        ...presence,
        eventType: z.literal("connected"),
        ipAddress: optionalString("ipAddress"),
      }),
      z.looseObject({
        ...presence,
        eventType: z.literal("disconnected"),
        clientInitiatedDisconnect: z
          .boolean({ error: "clientInitiatedDisconnect must be a boolean" })
          .nullish()
          .transform((v) => v ?? null),
        disconnectReason: optionalString("disconnectReason"),
      }),
      z.looseObject({
        ...base,
        eventType: z.enum(["subscribed", "unsubscribed"]),
        sessionIdentifier: SessionIdentifier,
        topics: z
          .array(TopicFilter, { error: "topics must be an array of strings" })
          .refine((t) => t.length <= MAX_TOPICS_PER_EVENT, {
            error: `topics must hold at most ${MAX_TOPICS_PER_EVENT} topic filters`,
          }),
      }),
      z.looseObject({
        ...base,
        eventType: z.literal("connect_failed"),
        // Refused attempts may come without a session: only the size is checked.
        sessionIdentifier: z
          .string({ error: "sessionIdentifier must be a string" })
          .refine((s) => utf8Bytes(s) <= MAX_SESSION_IDENTIFIER_BYTES, {
            error: `sessionIdentifier must be at most ${MAX_SESSION_IDENTIFIER_BYTES} bytes`,
          })
          .nullish()
          .transform((v) => v ?? null),
        versionNumber: VersionNumber.nullish().transform((v) => v ?? null),
        connectFailureReason: optionalString("connectFailureReason"),
        ipAddress: optionalString("ipAddress"),
      }),
    ],
    { error: `eventType must be one of ${EVENT_TYPES.join(", ")}` },
  );
}

export type Payload = z.infer<typeof PayloadSchema>;
