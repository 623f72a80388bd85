// 1b. The AWS IoT rule action without a bridge: POST /api/ingest/aws-rule at
// one event per request (as AWS sends), and with the action's batching (10
// per request), against batched POST /api/ingest (batches of 500, the
// bridge's way) on the same app and database, each load bounded in time and
// the three interleaved run by run so they share the machine's noise. The
// ingest suite measures the same beside its other paths; this one is the
// comparison alone, short enough for a full (non-smoke) run in minutes.
import { postBatch, startBenchApp } from "../lib/app";
import { awsRuleFigures, AwsRuleLoad } from "../lib/aws-rule";
import { drain, type Suite } from "../lib/context";
import { ingestLoad, type IngestLoad } from "../lib/direct-ingest";
import { truncateAll } from "../lib/database";
import { measured } from "../lib/report";
import { batches, lifecycleHistory } from "../lib/workload";

export interface AwsRuleOptions extends IngestLoad {
  /** Each of the three loads stops here at the latest. */
  seconds: number;
}

export function awsRuleOptions(smoke: boolean): AwsRuleOptions {
  return {
    ...ingestLoad(smoke, { events: 50_000, clients: 5_000 }),
    seconds: smoke ? 4 : 30,
  };
}

export const runAwsRuleSuite: Suite<AwsRuleOptions> = async (ctx, o) => {
  const { log } = ctx;
  const db = await ctx.server.scratch("aws_rule");
  try {
    const all = [...lifecycleHistory(o.events, o.clients)];
    const bodies = batches(all, o.batchSize).map((b) => ({
      body: JSON.stringify(b),
      count: b.length,
    }));
    // One event per request in flight as the ingest suite sends them: 4 × the batch senders.
    const awsRule = new AwsRuleLoad(all, Math.floor(o.events / 5), o.senders * 4, o.seconds);
    log(
      `aws-rule: ${o.events} events over ${o.clients} clients; /api/ingest in batches of ${o.batchSize} (${o.senders} senders) vs /api/ingest/aws-rule (${awsRule.inFlight} in flight), ${o.seconds} s each, ${ctx.runs} run(s)`,
    );
    const app = await startBenchApp({ databaseUrl: db.url });
    const route: number[] = [];
    try {
      for (let run = 1; run <= ctx.runs; run += 1) {
        await truncateAll(db.url);
        const r = await drain(bodies, o.senders, o.seconds * 1000, (b) =>
          postBatch(app.url, b.body, b.count),
        );
        route.push(r.processed / r.seconds);
        await awsRule.run(app.url, () => truncateAll(db.url));
        log(
          `aws-rule run ${run}/${ctx.runs}: /api/ingest ${Math.round(route.at(-1)!)} ev/s (${r.processed} events), ${awsRule.lastRun()}`,
        );
      }
    } finally {
      await app.stop();
    }
    const section = "1b. AWS IoT rule, no bridge";
    const routeM = measured("POST /api/ingest, batches of 500", "ev/s", route);
    return {
      figures: awsRuleFigures(section, awsRule, routeM, route),
      details: { options: o, route, awsRule: awsRule.single, awsRuleBatched: awsRule.batched },
      notes: [],
    };
  } finally {
    await db.drop();
  }
};
