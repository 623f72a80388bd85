// fast-check arbitraries for the hostile-input fuzz tests: strings that break
// naive code (NUL, lone surrogates, bidi controls, combining marks, URL, CSV
// and SQL syntax), client IDs that are valid but awkward, lifecycle payloads
// with unknown fields, and wrong-typed values for every payload field.
import fc from "fast-check";
import { MAX_CLIENT_ID_BYTES, TOPIC_PREFIXES } from "../../lib/ingest/schemas";
import { EVENT_TYPES, type EventType } from "../../lib/presence/types";

/** Units that must be stored and shown as they are (or rejected by name). */
export const STORABLE_EDGE_UNITS = [
  "\u200e", // LRM
  "\u200f", // RLM
  "\u202a", // LRE
  "\u202b", // RLE
  "\u202e", // RLO: flips what follows
  "\u2066", // LRI
  "\u2069", // PDI
  "\u061c", // Arabic letter mark
  "\ufeff", // BOM / zero-width no-break space
  "\u200b", // zero-width space
  "\u0301", // combining acute (alone: combines with whatever precedes)
  "e\u0301", // é, decomposed
  "\u00e9", // é, composed
  "\u20dd", // combining enclosing circle
  "😀",
  "👩‍👩‍👧", // ZWJ sequence
  "🏳️‍🌈",
  "𝔘", // astral letter (a valid surrogate pair)
  "中",
  "ü",
  "ש", // Hebrew (RTL)
  "\u00a0",
  "\u2028",
  "\u2029",
  " ",
  "/",
  "//",
  "\\",
  "%",
  "%2F",
  "%25",
  "%00",
  "%ZZ",
  "?",
  "&",
  "=",
  ";",
  ",",
  '"',
  "'",
  "`",
  "<",
  ">",
  "{",
  "}",
  "[",
  "]",
  "\n",
  "\r",
  "\r\n",
  "\t",
  "\u0007",
  "\u001b",
  "\u007f",
  "@",
  "-",
  ".",
  "..",
  "$",
  "~",
  "*",
  "_",
] as const;

/** Units PostgreSQL text cannot hold: ingest must reject them by name. */
export const UNSTORABLE_UNITS = [
  "\u0000",
  "\ud800",
  "\udbff",
  "\udc00",
  "\udfff",
  "a\u0000b",
] as const;

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Whether PostgreSQL text/jsonb can hold the string. */
export function isStorable(s: string): boolean {
  return !s.includes("\0") && !LONE_SURROGATE.test(s);
}

const oneChar = fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }).filter(isStorable);
const anyCodePoint = fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter(isStorable);

/** One unit of a storable string: an edge case, a grapheme, or any code point. */
export const storableUnit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...STORABLE_EDGE_UNITS) },
  { weight: 2, arbitrary: oneChar },
  { weight: 1, arbitrary: anyCodePoint },
  { weight: 2, arbitrary: fc.constantFrom("a", "b", "x", "1", "-") },
);

/** One unit of any string, unstorable ones included. */
export const hostileUnit = fc.oneof(
  { weight: 8, arbitrary: storableUnit },
  { weight: 1, arbitrary: fc.constantFrom(...UNSTORABLE_UNITS) },
);

export function storableString(maxLength = 24, minLength = 0): fc.Arbitrary<string> {
  return fc.string({ unit: storableUnit, minLength, maxLength });
}

export function hostileString(maxLength = 24, minLength = 0): fc.Arbitrary<string> {
  return fc.string({ unit: hostileUnit, minLength, maxLength });
}

/** Whether ingest accepts the string as a client ID. */
export function isValidClientId(s: string): boolean {
  return (
    s.length > 0 &&
    isStorable(s) &&
    !s.includes("#") &&
    !s.includes("+") &&
    Buffer.byteLength(s, "utf8") <= MAX_CLIENT_ID_BYTES
  );
}

/**
 * `.` and `..` are dot segments: every URL parser collapses them, so the
 * plain /api/clients/{id} form cannot address such a client; they are
 * reached as `+.`/`+..` (contract/client-id-segment.ts, the real-URL test).
 */
export function isUrlAddressable(clientId: string): boolean {
  return clientId !== "." && clientId !== "..";
}

/** Valid, awkward client IDs: spaces, slashes, quotes, commas, percent signs, unicode. */
export const clientIdArb: fc.Arbitrary<string> = storableString(20, 1)
  .map((s) => s.replace(/[#+]/g, "_"))
  .filter((s) => isValidClientId(s) && isUrlAddressable(s));

/** A stable base time: timestamps must not be more than a day ahead of the server. */
export const FUZZ_T0 = Date.now() - 30 * 24 * 3_600_000;
export const timestampArb = fc.integer({ min: FUZZ_T0, max: FUZZ_T0 + 29 * 24 * 3_600_000 });

export const KNOWN_FIELDS = [
  "clientId",
  "timestamp",
  "eventType",
  "sessionIdentifier",
  "principalIdentifier",
  "versionNumber",
  "ipAddress",
  "thingName",
  "disconnectReason",
  "clientInitiatedDisconnect",
  "topics",
  "connectFailureReason",
] as const;
export type KnownField = (typeof KNOWN_FIELDS)[number];

/** `topic`/`payload` would make a bare payload look like an envelope. */
const RESERVED_KEYS = new Set<string>([...KNOWN_FIELDS, "topic", "payload"]);

/** JSON values with storable, awkward strings (keys included), bounded depth. */
export function storableJsonValue(maxDepth = 3): fc.Arbitrary<unknown> {
  return fc.jsonValue({ maxDepth, stringUnit: storableUnit });
}

/** Unknown extra fields: AWS adds fields over time; they are kept, never a reason to reject. */
export const unknownFieldsArb: fc.Arbitrary<Record<string, unknown>> = fc
  .dictionary(
    fc.oneof(storableString(12, 1), fc.constantFrom("__proto__", "constructor", "toString", "")),
    storableJsonValue(3),
    { maxKeys: 4 },
  )
  .map((d) => {
    // fc.dictionary defines own properties; copy the same way JSON.parse would.
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(d)) {
      if (!RESERVED_KEYS.has(k))
        Object.defineProperty(out, k, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    return out;
  });

const optionalStorable = fc.option(storableString(30), { nil: null });

export type FuzzPayload = Record<string, unknown> & {
  clientId: string;
  eventType: EventType;
  timestamp: number;
};

/** A valid lifecycle payload of any type, with awkward strings and unknown fields. */
export function payloadArb(
  clientId: fc.Arbitrary<string> = clientIdArb,
): fc.Arbitrary<FuzzPayload> {
  return fc
    .record({
      clientId,
      eventType: fc.constantFrom(...EVENT_TYPES),
      timestamp: timestampArb,
      sessionIdentifier: storableString(12, 1),
      principalIdentifier: optionalStorable,
      thingName: optionalStorable,
      versionNumber: fc.integer({ min: 0, max: 2 ** 40 }),
      ipAddress: optionalStorable,
      disconnectReason: optionalStorable,
      clientInitiatedDisconnect: fc.option(fc.boolean(), { nil: null }),
      topics: fc.array(storableString(30), { maxLength: 4 }),
      connectFailureReason: optionalStorable,
      extra: unknownFieldsArb,
    })
    .map(({ extra, ...f }) => {
      const common = {
        clientId: f.clientId,
        timestamp: f.timestamp,
        eventType: f.eventType,
        principalIdentifier: f.principalIdentifier,
        thingName: f.thingName,
      };
      const specific: Record<EventType, Record<string, unknown>> = {
        connected: {
          sessionIdentifier: f.sessionIdentifier,
          versionNumber: f.versionNumber,
          ipAddress: f.ipAddress,
        },
        disconnected: {
          sessionIdentifier: f.sessionIdentifier,
          versionNumber: f.versionNumber,
          disconnectReason: f.disconnectReason,
          clientInitiatedDisconnect: f.clientInitiatedDisconnect,
        },
        subscribed: { sessionIdentifier: f.sessionIdentifier, topics: f.topics },
        unsubscribed: { sessionIdentifier: f.sessionIdentifier, topics: f.topics },
        connect_failed: {
          sessionIdentifier: f.sessionIdentifier,
          versionNumber: f.versionNumber,
          ipAddress: f.ipAddress,
          connectFailureReason: f.connectFailureReason,
        },
      };
      return { ...extra, ...common, ...specific[f.eventType] };
    });
}

export function envelopeOf(payload: FuzzPayload): { topic: string; payload: FuzzPayload } {
  return { topic: TOPIC_PREFIXES[payload.eventType] + payload.clientId, payload };
}

/** The ways a payload may travel: bare, in an envelope (object or JSON text). */
export type Shape = "bare" | "envelope" | "string-payload";
export const shapeArb = fc.constantFrom<Shape>("bare", "envelope", "string-payload");

export function shaped(payload: FuzzPayload, shape: Shape): unknown {
  if (shape === "bare") return payload;
  const e = envelopeOf(payload);
  return shape === "envelope" ? e : { topic: e.topic, payload: JSON.stringify(payload) };
}

type JsonKind = "string" | "number" | "integer" | "boolean" | "null" | "array" | "object";

/** What each known field must be, per event type, and the message a wrong type earns. */
interface FieldRule {
  accepts: JsonKind[];
  message: string;
}

const str = (name: string, optional: boolean): FieldRule => ({
  accepts: optional ? ["string", "null"] : ["string"],
  message: `${name} must be a string`,
});

const BASE_RULES: Partial<Record<KnownField, FieldRule>> = {
  clientId: str("clientId", false),
  timestamp: { accepts: ["integer"], message: "timestamp must be a number (ms since epoch)" },
  principalIdentifier: str("principalIdentifier", true),
  thingName: str("thingName", true),
};

export const FIELD_RULES: Record<EventType, Partial<Record<KnownField, FieldRule>>> = {
  connected: {
    ...BASE_RULES,
    sessionIdentifier: str("sessionIdentifier", false),
    versionNumber: { accepts: ["integer"], message: "versionNumber must be a number" },
    ipAddress: str("ipAddress", true),
  },
  disconnected: {
    ...BASE_RULES,
    sessionIdentifier: str("sessionIdentifier", false),
    versionNumber: { accepts: ["integer"], message: "versionNumber must be a number" },
    disconnectReason: str("disconnectReason", true),
    clientInitiatedDisconnect: {
      accepts: ["boolean", "null"],
      message: "clientInitiatedDisconnect must be a boolean",
    },
  },
  subscribed: {
    ...BASE_RULES,
    sessionIdentifier: str("sessionIdentifier", false),
    topics: { accepts: ["array"], message: "topics must be an array of strings" },
  },
  unsubscribed: {
    ...BASE_RULES,
    sessionIdentifier: str("sessionIdentifier", false),
    topics: { accepts: ["array"], message: "topics must be an array of strings" },
  },
  connect_failed: {
    ...BASE_RULES,
    sessionIdentifier: str("sessionIdentifier", true),
    versionNumber: { accepts: ["integer", "null"], message: "versionNumber must be a number" },
    connectFailureReason: str("connectFailureReason", true),
    ipAddress: str("ipAddress", true),
  },
};

const valueOfKind: Record<Exclude<JsonKind, "integer">, fc.Arbitrary<unknown>> = {
  string: fc.oneof(storableString(8), fc.constantFrom("1700000000000", "true", "null", "[]")),
  number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(storableJsonValue(1), { maxLength: 3 }),
  object: fc.dictionary(storableString(6), storableJsonValue(1), { maxKeys: 3 }),
};

/** A wrong-typed value for `rule` (a number is not wrong where an integer is expected: see intRules). */
export function wrongValueFor(rule: FieldRule): fc.Arbitrary<unknown> {
  const kinds = (Object.keys(valueOfKind) as Exclude<JsonKind, "integer">[]).filter(
    (k) => !rule.accepts.includes(k) && !(k === "number" && rule.accepts.includes("integer")),
  );
  return fc.oneof(...kinds.map((k) => valueOfKind[k]));
}
