import { compareStrings } from "./connections";
import type { Connection, LifecycleEvent, SubscriptionState } from "./types";

const TYPE_RANK = { subscribed: 0, unsubscribed: 1 } as const;

/**
 * Total order on subscription events of one (client, topic): later timestamp
 * wins; on a tie `unsubscribed` wins (the safe answer: we never claim a
 * subscription we are unsure of); then the greater sessionIdentifier, only so
 * that every arrival order picks the same winner. Mirrored in SQL by lib/ingest.
 */
export function compareSubscriptionStates(a: SubscriptionState, b: SubscriptionState): number {
  return (
    a.timestamp - b.timestamp ||
    TYPE_RANK[a.eventType] - TYPE_RANK[b.eventType] ||
    compareStrings(a.sessionIdentifier, b.sessionIdentifier)
  );
}

/** The states one subscription event proposes, one per topic filter. */
export function subscriptionStatesOf(event: LifecycleEvent): SubscriptionState[] {
  if (event.eventType !== "subscribed" && event.eventType !== "unsubscribed") return [];
  const session = event.sessionIdentifier ?? "";
  return [...new Set(event.topics ?? [])].map((topic) => ({
    clientId: event.clientId,
    topic,
    eventType: event.eventType as "subscribed" | "unsubscribed",
    timestamp: event.timestamp,
    sessionIdentifier: session,
  }));
}

export function mergeSubscriptionState(
  existing: SubscriptionState | undefined,
  candidate: SubscriptionState,
): SubscriptionState {
  if (existing === undefined) return candidate;
  return compareSubscriptionStates(candidate, existing) > 0 ? candidate : existing;
}

/**
 * Topics the client is subscribed to now: the winner is `subscribed` and
 * belongs to the current connection's session. A clean session's
 * subscriptions end with it; a persistent session keeps its identifier.
 */
export function currentSubscriptions(
  states: Iterable<SubscriptionState>,
  current: Connection | undefined,
): string[] {
  if (current === undefined) return [];
  const topics: string[] = [];
  for (const s of states) {
    if (s.eventType === "subscribed" && s.sessionIdentifier === current.sessionIdentifier) {
      topics.push(s.topic);
    }
  }
  return topics.sort(compareStrings);
}
