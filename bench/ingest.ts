// npm run bench:ingest [-- --smoke] [-- --senders 4]
// Events/s through the real POST /api/ingest (built Next.js app, real
// PostgreSQL, derived state included), next to a naive baseline measured in
// the same run: one Prisma insert per event.
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import pg from "pg";
import { createDatabase } from "../lib/db/client";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { startApp } from "../lib/testing/app-server";
import { connected, disconnected, envelope } from "../lib/testing/events";

const { values: args } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    senders: { type: "string", default: "4" },
    events: { type: "string" },
    clients: { type: "string" },
    batch: { type: "string", default: "500" },
    "naive-events": { type: "string" },
  },
});
const smoke = args.smoke === true;
const totalEvents = Number(args.events ?? (smoke ? 5_000 : 200_000));
const totalClients = Number(args.clients ?? (smoke ? 500 : 20_000));
const batchSize = Number(args.batch);
const senders = Number(args.senders);
const naiveEvents = Number(args["naive-events"] ?? (smoke ? 500 : 10_000));
const TOKEN = "bench-token";

/** A realistic history: each client connects and disconnects in turn, versions rising. */
function* events(count: number, clients: number) {
  const start = Date.now() - 24 * 3600_000;
  const perClient = Math.ceil(count / clients);
  for (let i = 0; i < count; i += 1) {
    const client = i % clients;
    const step = Math.floor(i / clients);
    const version = Math.floor(step / 2);
    const t = start + step * 60_000 + client;
    const id = `bench-device-${String(client).padStart(6, "0")}`;
    yield envelope(step % 2 === 0 ? connected(id, t, version) : disconnected(id, t, version));
    if (step > perClient) break;
  }
}

async function scratchDatabase(): Promise<{ url: string; close: () => Promise<void> }> {
  let embedded: EmbeddedDatabase | undefined;
  let server = process.env.DATABASE_URL;
  if (!server) {
    embedded = await startEmbeddedPostgres({ dataDir: ".data/bench-pg", database: "postgres" });
    server = embedded.url;
  }
  const name = `fleet_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    close: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
      await embedded?.stop();
    },
  };
}

async function routeRun(appUrl: string): Promise<{ seconds: number; accepted: number }> {
  const all = [...events(totalEvents, totalClients)];
  const batches: string[] = [];
  for (let i = 0; i < all.length; i += batchSize)
    batches.push(JSON.stringify(all.slice(i, i + batchSize)));
  let next = 0;
  let accepted = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < batches.length) {
        const body = batches[next++]!;
        const r = await fetch(`${appUrl}/api/ingest`, {
          method: "POST",
          headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
          body,
        });
        if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${await r.text()}`);
        const answer = (await r.json()) as {
          accepted: number;
          duplicates: number;
          rejected: unknown[];
        };
        if (answer.rejected.length > 0 || answer.duplicates > 0) {
          throw new Error(
            `ingest rejected or deduplicated: ${JSON.stringify(answer).slice(0, 400)}`,
          );
        }
        accepted += answer.accepted;
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, accepted };
}

async function naiveRun(url: string): Promise<number> {
  const database = createDatabase(url, 2);
  const sample = [...events(naiveEvents, Math.max(1, Math.floor(naiveEvents / 10)))];
  const started = performance.now();
  for (const e of sample) {
    await database.prisma.lifecycleEvent.create({
      data: {
        dedupeKey: randomUUID(),
        clientId: `naive-${e.payload.clientId}`,
        eventType: e.payload.eventType,
        eventAt: new Date(e.payload.timestamp as number),
        sessionIdentifier: e.payload.sessionIdentifier as string,
        principalIdentifier: e.payload.principalIdentifier as string,
        versionNumber: BigInt(e.payload.versionNumber as number),
        topic: e.topic,
        raw: e.payload as Record<string, string | number | boolean>,
      },
    });
  }
  const seconds = (performance.now() - started) / 1000;
  await database.close();
  return sample.length / seconds;
}

async function main() {
  const database = await scratchDatabase();
  try {
    await migrate(database.url);
    const naive = await naiveRun(database.url);
    const app = await startApp({
      databaseUrl: database.url,
      env: { INGEST_TOKEN: TOKEN, DATABASE_POOL_SIZE: "8" },
      // BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the app under load.
      nodeArgs: process.env.BENCH_APP_NODE_ARGS?.split(" ").filter(Boolean),
    });
    let route: { seconds: number; accepted: number };
    try {
      route = await routeRun(app.url);
    } finally {
      await app.stop();
    }
    const rate = route.accepted / route.seconds;
    const result = {
      when: new Date().toISOString(),
      smoke,
      events: totalEvents,
      clients: totalClients,
      batchSize,
      senders,
      route: {
        accepted: route.accepted,
        seconds: +route.seconds.toFixed(2),
        eventsPerSecond: Math.round(rate),
      },
      naiveBaseline: { events: naiveEvents, eventsPerSecond: Math.round(naive) },
      ratioToNaive: +(rate / naive).toFixed(1),
    };
    console.log(
      `\ningest benchmark (${smoke ? "smoke" : "full"}): ${totalEvents} events over ${totalClients} clients, batches of ${batchSize}, ${senders} senders`,
    );
    console.log(`| path | events/s |\n|---|---|`);
    console.log(`| POST /api/ingest (derived state included) | ${result.route.eventsPerSecond} |`);
    console.log(`| naive: one Prisma create per event | ${result.naiveBaseline.eventsPerSecond} |`);
    console.log(`route / naive = ${result.ratioToNaive}x`);
    if (route.accepted !== totalEvents)
      throw new Error(`accepted ${route.accepted} of ${totalEvents} events`);
    mkdirSync("bench/results", { recursive: true });
    writeFileSync(
      `bench/results/ingest${smoke ? "-smoke" : ""}.json`,
      `${JSON.stringify(result, null, 2)}\n`,
    );
  } finally {
    await database.close();
  }
}

await main();
