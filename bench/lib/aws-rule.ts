// POST /api/ingest/aws-rule as AWS IoT's rule engine calls it: one lifecycle
// event per HTTPS request, the event's fields plus the rule's `topic` column.
import { BENCH_TOKEN } from "./app";
import { drain } from "./context";

interface Envelope {
  topic: string;
  payload: Record<string, unknown>;
}

/** The rule's message for an envelope: `SELECT *, topic() AS topic FROM '$aws/events/#'`. */
export function awsRuleMessage(e: Envelope): string {
  return JSON.stringify({ ...e.payload, topic: e.topic });
}

async function postOne(appUrl: string, body: string): Promise<number> {
  const response = await fetch(`${appUrl}/api/ingest/aws-rule`, {
    method: "POST",
    headers: { Authorization: `Bearer ${BENCH_TOKEN}`, "Content-Type": "application/json" },
    body,
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`aws-rule answered ${response.status}: ${text.slice(0, 400)}`);
  const answer = JSON.parse(text) as { accepted: number; duplicates: number; rejected: unknown[] };
  if (answer.accepted !== 1) throw new Error(`aws-rule did not store the event: ${text}`);
  return 1;
}

/**
 * Events/s through the rule action's route, one request per event with
 * `senders` requests in flight (the rule engine calls concurrently), for at
 * most `seconds`. The caller empties the database first.
 */
export async function measureAwsRule(
  appUrl: string,
  messages: readonly string[],
  senders: number,
  seconds: number,
): Promise<{ rate: number; processed: number }> {
  const r = await drain(messages, senders, seconds * 1000, (m) => postOne(appUrl, m));
  return { rate: r.processed / r.seconds, processed: r.processed };
}
