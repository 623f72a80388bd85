// Lifecycle events republished under a plain topic prefix (BRIDGE_TOPIC_PREFIX,
// docs/bridge.md "Scale-out"). Brokers that do not hand `$`-topics to shared
// subscriptions (Mosquitto 2.0), and AWS IoT rules that republish
// `$aws/events/...` elsewhere, deliver the same payload on a topic ingest
// does not know; the canonical `$aws/events/...` topic is rebuilt here so
// ingest checks and stores the event as if it had come directly.
import { EVENT_TYPES, type EventType } from "../presence/types";
import { TOPIC_PREFIXES } from "../ingest/schemas";

/** Why a prefix cannot be used, or null when it can. */
export function topicPrefixProblem(prefix: string): string | null {
  if (prefix.length === 0) return "must not be empty";
  if (prefix.startsWith("$"))
    return "must not start with '$' (the point is a topic shared subscriptions receive)";
  if (prefix.includes("+") || prefix.includes("#")) return "must not contain '+' or '#'";
  if (prefix.startsWith("/") || prefix.endsWith("/"))
    return "must not start or end with '/' (write fleet/lifecycle, not fleet/lifecycle/)";
  return null;
}

/** The filter that receives everything republished under `prefix`. */
export function prefixFilter(prefix: string): string {
  return `${prefix}/#`;
}

const GROUP_OF: Record<EventType, string> = {
  connected: "presence",
  disconnected: "presence",
  connect_failed: "presence",
  subscribed: "subscriptions",
  unsubscribed: "subscriptions",
};

function isEventType(value: unknown): value is EventType {
  return typeof value === "string" && (EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * The canonical topic from what follows the prefix: the whole original topic
 * (`$aws/events/presence/connected/<id>`, a `${topic()}` republish) or the
 * part after `$aws/events/` (`presence/connected/<id>`). Null when the suffix
 * does not carry the client ID.
 */
function fromSuffix(suffix: string): string | null {
  const rest = suffix.startsWith("$aws/events/") ? suffix.slice("$aws/events/".length) : suffix;
  const [group, eventType] = rest.split("/", 2);
  if (!isEventType(eventType) || GROUP_OF[eventType] !== group) return null;
  const clientId = rest.slice(group.length + eventType.length + 2);
  return clientId.length > 0 ? TOPIC_PREFIXES[eventType] + clientId : null;
}

/** The canonical topic from the payload's own eventType and clientId. */
function fromPayload(payloadText: string): string | null {
  let payload: unknown;
  try {
    payload = JSON.parse(payloadText);
  } catch {
    return null;
  }
  if (typeof payload !== "object" || payload === null) return null;
  const { eventType, clientId } = payload as Record<string, unknown>;
  if (!isEventType(eventType) || typeof clientId !== "string" || clientId.length === 0) return null;
  return TOPIC_PREFIXES[eventType] + clientId;
}

/**
 * The `$aws/events/...` topic for a message received on `topic` under
 * `prefix`, or null if `topic` is not under it. The suffix is preferred (no
 * parsing; ingest still checks it against the payload, so a misconfigured
 * rule shows up as quarantined events); failing that the payload decides.
 * When neither does, the original topic is kept: ingest then quarantines the
 * event with the reason (bad JSON, missing field) instead of it being lost.
 */
export function canonicalTopic(prefix: string, topic: string, payloadText: string): string | null {
  if (!topic.startsWith(`${prefix}/`)) return null;
  const suffix = topic.slice(prefix.length + 1);
  return fromSuffix(suffix) ?? fromPayload(payloadText) ?? topic;
}
