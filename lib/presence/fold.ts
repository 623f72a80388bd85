import { connectionKey, mergeIntoConnection } from "./connections";
import { currentConnection } from "./current";
import { isFlapping, presenceStatus, statusSince } from "./status";
import {
  currentSubscriptions,
  mergeSubscriptionState,
  subscriptionStatesOf,
} from "./subscriptions";
import { timeline } from "./timeline";
import type {
  Connection,
  LifecycleEvent,
  PresenceConfig,
  PresenceStatus,
  ReceivedEvent,
  SubscriptionState,
  TimelineConnection,
} from "./types";

/** Everything stored about one client, as the database holds it after ingest. */
export interface ClientHistory {
  clientId: string;
  connections: Map<string, Connection>;
  subscriptions: Map<string, SubscriptionState>;
  /** Distinct connect_failed events (a duplicate is stored once, so it counts once). */
  failedAttempts: number;
  /** `lifecycleEventKey` of each distinct connect_failed event seen. */
  failedAttemptKeys: Set<string>;
}

export function emptyHistory(clientId: string): ClientHistory {
  return {
    clientId,
    connections: new Map(),
    subscriptions: new Map(),
    failedAttempts: 0,
    failedAttemptKeys: new Set(),
  };
}

/**
 * Identity of an event for de-duplication: two events with equal fields are
 * one event (docs/model.md: identical events are stored once).
 */
export function lifecycleEventKey(event: LifecycleEvent): string {
  return JSON.stringify([
    event.eventType,
    event.clientId,
    event.timestamp,
    event.sessionIdentifier,
    event.principalIdentifier,
    event.versionNumber,
    event.clientInitiatedDisconnect,
    event.disconnectReason,
    event.ipAddress,
    event.thingName,
    event.topics,
    event.connectFailureReason,
  ]);
}

/** Applies one received event (duplicates included) to a client's history, in place. */
export function applyEvent(history: ClientHistory, received: ReceivedEvent): void {
  const { event, receivedAt } = received;
  switch (event.eventType) {
    case "connected":
    case "disconnected": {
      const key = connectionKey(event);
      history.connections.set(
        key,
        mergeIntoConnection(history.connections.get(key), event, receivedAt),
      );
      return;
    }
    case "subscribed":
    case "unsubscribed":
      for (const state of subscriptionStatesOf(event)) {
        history.subscriptions.set(
          state.topic,
          mergeSubscriptionState(history.subscriptions.get(state.topic), state),
        );
      }
      return;
    case "connect_failed":
      // Count each distinct attempt once: a redelivered duplicate is not a new attempt.
      history.failedAttemptKeys.add(lifecycleEventKey(event));
      history.failedAttempts = history.failedAttemptKeys.size;
      return;
  }
}

/** Folds a stream of events into one history per client. */
export function foldEvents(events: Iterable<ReceivedEvent>): Map<string, ClientHistory> {
  const clients = new Map<string, ClientHistory>();
  for (const received of events) {
    const id = received.event.clientId;
    let history = clients.get(id);
    if (history === undefined) {
      history = emptyHistory(id);
      clients.set(id, history);
    }
    applyEvent(history, received);
  }
  return clients;
}

export interface ClientSummary {
  clientId: string;
  status: PresenceStatus;
  flapping: boolean;
  since: number | null;
  current: Connection | undefined;
  subscriptions: string[];
  timeline: TimelineConnection[];
}

/** What the read API shows for one client at `now`. */
export function summarize(
  history: ClientHistory,
  now: number,
  config: PresenceConfig,
): ClientSummary {
  const connections = [...history.connections.values()];
  const current = currentConnection(connections, config.versionResetWindowMs);
  return {
    clientId: history.clientId,
    status: presenceStatus(current, now, config),
    flapping: isFlapping(connections, now, config),
    since: statusSince(current),
    current,
    subscriptions: currentSubscriptions(history.subscriptions.values(), current),
    timeline: timeline(connections, current),
  };
}
