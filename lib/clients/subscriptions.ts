import { db } from "../db/client";
import { sql } from "../db/sql";
import { requireClient } from "./get";
import type { SubscriptionEventView, SubscriptionStateView, SubscriptionsView } from "./schemas";

/** How much history the device page shows; older events stay in the raw event log. */
const HISTORY_LIMIT = 200;

interface StateRow {
  topic: string;
  event_type: "subscribed" | "unsubscribed";
  event_at: Date;
  session_identifier: string;
  current: boolean;
}

interface HistoryRow {
  event_type: "subscribed" | "unsubscribed";
  event_at: Date;
  received_at: Date;
  session_identifier: string | null;
  topics: unknown;
}

/**
 * GET /api/clients/{clientId}/subscriptions. A topic is current when its
 * winning event is `subscribed` in the current connection's session: the same
 * rule as lib/presence currentSubscriptions and the client object.
 */
export async function listSubscriptions(clientId: string): Promise<SubscriptionsView> {
  await requireClient(clientId);
  const pool = db().pool;
  const statesSql = sql`SELECT s.topic, s.event_type, s.event_at, s.session_identifier,
              (s.event_type = 'subscribed' AND s.session_identifier = cs.session_identifier) IS TRUE AS current
         FROM subscription_state s JOIN client_state cs ON cs.client_id = s.client_id
        WHERE s.client_id = ${clientId}
        ORDER BY s.topic`;
  const historySql = sql`SELECT e.event_type, e.event_at, e.received_at, e.session_identifier,
              e.raw -> 'topics' AS topics
         FROM lifecycle_event e
        WHERE e.client_id = ${clientId} AND e.event_type IN ('subscribed', 'unsubscribed')
        ORDER BY e.event_at DESC, e.id DESC
        LIMIT ${HISTORY_LIMIT}`;
  const [states, history] = await Promise.all([
    pool.query<StateRow>(statesSql.text, statesSql.values),
    pool.query<HistoryRow>(historySql.text, historySql.values),
  ]);
  const topics: SubscriptionStateView[] = states.rows.map((r) => ({
    topic: r.topic,
    eventType: r.event_type,
    at: r.event_at.toISOString(),
    sessionIdentifier: r.session_identifier,
    current: r.current,
  }));
  const events: SubscriptionEventView[] = history.rows.map((r) => ({
    eventType: r.event_type,
    at: r.event_at.toISOString(),
    receivedAt: r.received_at.toISOString(),
    sessionIdentifier: r.session_identifier,
    topics: Array.isArray(r.topics)
      ? r.topics.filter((t): t is string => typeof t === "string")
      : [],
  }));
  return { current: topics.filter((t) => t.current).map((t) => t.topic), topics, history: events };
}
