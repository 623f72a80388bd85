// POST /api/ingest/aws-rule as AWS IoT's rule engine calls it: one lifecycle
// event per HTTPS request, the event's fields plus the rule's `topic` column.
import { BENCH_TOKEN } from "./app";
import { drain } from "./context";
import { measured, pairedRatio, type Figure } from "./report";

interface Envelope {
  topic: string;
  payload: Record<string, unknown>;
}

/** The rule's message for an envelope: `SELECT *, topic() AS topic FROM '$aws/events/#'`. */
export function awsRuleMessage(e: Envelope): { body: string; count: number } {
  return { body: JSON.stringify({ ...e.payload, topic: e.topic }), count: 1 };
}

/**
 * The action's batched form (`enableBatching`, `batchAcrossTopics`): a JSON
 * array of up to `size` messages; AWS allows at most 10.
 */
export function awsRuleBatches(envelopes: readonly Envelope[], size: number) {
  const out: { body: string; count: number }[] = [];
  for (let i = 0; i < envelopes.length; i += size) {
    const slice = envelopes.slice(i, i + size);
    out.push({
      body: JSON.stringify(slice.map((e) => ({ ...e.payload, topic: e.topic }))),
      count: slice.length,
    });
  }
  return out;
}

async function postOne(appUrl: string, { body, count }: { body: string; count: number }) {
  const response = await fetch(`${appUrl}/api/ingest/aws-rule`, {
    method: "POST",
    headers: { Authorization: `Bearer ${BENCH_TOKEN}`, "Content-Type": "application/json" },
    body,
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`aws-rule answered ${response.status}: ${text.slice(0, 400)}`);
  const answer = JSON.parse(text) as { accepted: number; duplicates: number; rejected: unknown[] };
  if (answer.accepted !== count) throw new Error(`aws-rule did not store the events: ${text}`);
  return count;
}

/**
 * Events/s through the rule action's route, one request per message with
 * `senders` requests in flight (the rule engine calls concurrently), for at
 * most `seconds`. The caller empties the database first.
 */
export async function measureAwsRule(
  appUrl: string,
  messages: readonly { body: string; count: number }[],
  senders: number,
  seconds: number,
): Promise<{ rate: number; processed: number }> {
  const r = await drain(messages, senders, seconds * 1000, (m) => postOne(appUrl, m));
  return { rate: r.processed / r.seconds, processed: r.processed };
}

/**
 * (d) the rule action's route at one event per request and (d') with the
 * action's batching (arrays of 10, AWS's largest), each on an empty
 * database, time-bounded, `inFlight` requests at once.
 */
export class AwsRuleLoad {
  readonly single: number[] = [];
  readonly batched: number[] = [];
  private readonly singles: { body: string; count: number }[];
  private readonly tens: { body: string; count: number }[];
  private last = "";

  constructor(
    envelopes: readonly Envelope[],
    events: number,
    readonly inFlight: number,
    private readonly seconds: number,
  ) {
    this.singles = envelopes.slice(0, events).map(awsRuleMessage);
    this.tens = awsRuleBatches(envelopes.slice(0, events * 5), 10);
  }

  async run(appUrl: string, empty: () => Promise<void>): Promise<void> {
    await empty();
    const one = await measureAwsRule(appUrl, this.singles, this.inFlight, this.seconds);
    this.single.push(one.rate);
    await empty();
    const ten = await measureAwsRule(appUrl, this.tens, this.inFlight, this.seconds);
    this.batched.push(ten.rate);
    this.last = `aws-rule ${Math.round(one.rate)} (${one.processed} single-event requests), aws-rule × 10 ${Math.round(ten.rate)}`;
  }

  lastRun(): string {
    return this.last;
  }
}

export function awsRuleFigures(
  section: string,
  load: AwsRuleLoad,
  routeM: ReturnType<typeof measured>,
  route: number[],
): Figure[] {
  return [
    {
      section,
      ...measured("POST /api/ingest/aws-rule, one event per request", "ev/s", load.single),
      name: `POST /api/ingest/aws-rule, one event per request, ${load.inFlight} in flight`,
      baseline: routeM,
      ratioToBaseline: pairedRatio(load.single, route),
    },
    {
      section,
      ...measured("POST /api/ingest/aws-rule, batches of 10", "ev/s", load.batched),
      name: `POST /api/ingest/aws-rule, the action's batching (10 per request), ${load.inFlight} in flight`,
      baseline: routeM,
      ratioToBaseline: pairedRatio(load.batched, route),
    },
  ];
}
