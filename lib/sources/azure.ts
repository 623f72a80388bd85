// Azure IoT Hub device connection state events, delivered by Event Grid to
// POST /api/ingest/azure, in the Event Grid schema or the CloudEvents 1.0
// schema. Pure: maps them onto AWS-format lifecycle payloads.
//
// Event shapes: https://learn.microsoft.com/en-us/azure/event-grid/event-schema-iot-hub
// Validation handshake: https://learn.microsoft.com/en-us/azure/event-grid/webhook-event-delivery
//
// Ordering. Azure gives each event its own `sequenceNumber` (a 256-bit
// number as a fixed-width hex string, strictly increasing per device) and
// no number shared by a connect and its disconnect. So each Azure event is
// a connection of its own: key (clientId, `azure:<sequenceNumber>`,
// versionNumber = the hub's event time in ms). A connect is a connection
// that only starts, a disconnect one that only ends. The model's current
// connection is then the event with the highest (event time, sequence
// number): versions are times, and at an equal version the tie-break on
// session identifier compares the zero-padded upper-case sequence numbers
// as strings, which is their numeric order. Every step is a pure function
// of one event, so any arrival order and any duplicates give the same
// stored set, and the convergence property of the model carries over
// (lib/sources/azure.test.ts proves it over random histories). A connect
// that is not current shows in timelines as ended no later than the next
// event, which is the disconnect that closed it.
import { TOPIC_PREFIXES } from "../ingest/schemas";
import { UnmappableItem } from "../ingest/parse";

export const CONNECTED = "Microsoft.Devices.DeviceConnected";
export const DISCONNECTED = "Microsoft.Devices.DeviceDisconnected";
export const VALIDATION_EVENT = "Microsoft.EventGrid.SubscriptionValidationEvent";

/** Width of a sequence number in hex digits (256 bits). */
const SEQUENCE_DIGITS = 64;

export type AzureBody =
  { kind: "validation"; validationCode: string } | { kind: "events"; items: unknown[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Splits an Event Grid delivery: an array of Event Grid events, one
 * CloudEvent, or a CloudEvents batch. A subscription validation event
 * answers the handshake instead of being ingested.
 */
export function parseAzureBody(body: unknown): AzureBody {
  const events = Array.isArray(body) ? body : [body];
  for (const event of events) {
    if (isRecord(event) && typeOf(event) === VALIDATION_EVENT) {
      const data = event.data;
      if (isRecord(data) && typeof data.validationCode === "string")
        return { kind: "validation", validationCode: data.validationCode };
    }
  }
  return { kind: "events", items: events.map(mapAzureEvent) };
}

/** The event type in either schema: Event Grid's `eventType` or CloudEvents' `type`. */
function typeOf(event: Record<string, unknown>): unknown {
  return "specversion" in event ? event.type : event.eventType;
}

/** `1D4…` → `000…1D4…`, upper case: string order is then numeric order. */
export function normalizeSequenceNumber(value: unknown): string | null {
  if (typeof value !== "string" || !/^[0-9A-Fa-f]{1,64}$/.test(value)) return null;
  return value.toUpperCase().padStart(SEQUENCE_DIGITS, "0");
}

/** Event times: ISO 8601 with up to 7 fractional digits (Azure's), to ms. */
function toMs(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(
    value,
  );
  if (match === null) return null;
  const ms = Date.parse(`${match[1]}.${(match[2] ?? "").padEnd(3, "0").slice(0, 3)}${match[3]}`);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * One Event Grid / CloudEvents event as an `/api/ingest` envelope, or an
 * UnmappableItem naming what is wrong (quarantined with the original).
 */
export function mapAzureEvent(event: unknown): unknown {
  if (!isRecord(event)) return new UnmappableItem("event must be a JSON object", event);
  const type = typeOf(event);
  if (type !== CONNECTED && type !== DISCONNECTED) {
    return new UnmappableItem(
      `event type ${JSON.stringify(type)} is not ${CONNECTED} or ${DISCONNECTED}`,
      event,
    );
  }
  const data = event.data;
  if (!isRecord(data)) return new UnmappableItem("data must be a JSON object", event);
  if (typeof data.deviceId !== "string")
    return new UnmappableItem("data.deviceId must be a string", event);
  const moduleId = data.moduleId;
  if (moduleId !== undefined && moduleId !== null && typeof moduleId !== "string")
    return new UnmappableItem("data.moduleId must be a string", event);
  const info = data.deviceConnectionStateEventInfo;
  const sequence = normalizeSequenceNumber(isRecord(info) ? info.sequenceNumber : undefined);
  if (sequence === null) {
    return new UnmappableItem(
      "data.deviceConnectionStateEventInfo.sequenceNumber must be a hex string of at most 64 digits",
      event,
    );
  }
  const time = toMs("specversion" in event ? event.time : event.eventTime);
  if (time === null) {
    return new UnmappableItem(
      `${"specversion" in event ? "time" : "eventTime"} must be an ISO 8601 time`,
      event,
    );
  }
  // A module connects on its own: it is a client of its own, named after
  // its device (client IDs may contain `/`; Azure's device IDs cannot).
  const moduleName = typeof moduleId === "string" && moduleId !== "" ? moduleId : null;
  const clientId = moduleName === null ? data.deviceId : `${data.deviceId}/${moduleName}`;
  const eventType = type === CONNECTED ? "connected" : "disconnected";
  const payload: Record<string, unknown> = {
    clientId,
    eventType,
    timestamp: time,
    sessionIdentifier: `azure:${sequence}`,
    versionNumber: time,
    principalIdentifier: typeof data.hubName === "string" ? data.hubName : null,
    thingName: data.deviceId,
    moduleId: moduleName,
    azure: event,
  };
  return { topic: TOPIC_PREFIXES[eventType] + clientId, payload };
}

/**
 * The CloudEvents webhook abuse-protection handshake (OPTIONS with
 * WebHook-Request-Origin): the origin to allow, or null when the header is
 * missing or not a host name.
 */
export function allowedOrigin(header: string | null): string | null {
  if (header === null) return null;
  const origin = header.trim();
  return /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(origin) ? origin : null;
}
