// One phase of the latency suite (latency.ts): events published at a fixed
// offered rate, each matched to the SSE `client` message that carries it,
// with the server's checkpoints during the phase.
import type { MqttClient } from "mqtt";
import { connected, disconnected, envelope } from "../../test/support/events";
import { sleep } from "../lib/context";
import { withClient } from "../lib/database";
import { publishAtRate, toMessage, type Message } from "../lib/publisher";
import { percentile } from "../lib/stats";
import { openSse, type AppFetch } from "../lib/sse-client";

/** Seconds per window of the noise figure (p99 per window, min–max). */
export const WINDOW_SECONDS = 10;

export interface Pending {
  eventAt: number;
  sentAt: number;
}

export type BrokerKind = "embedded" | "mosquitto";

export interface PhaseResult {
  broker: BrokerKind;
  rate: number;
  achievedRate: number;
  sent: number;
  samples: number[];
  windowP99: number[];
  missed: number;
  resyncs: number;
  /** Events published but not yet acknowledged by ingest when publishing stopped. */
  backlogAtEnd: number;
  stalled: boolean;
  /** PostgreSQL checkpoints during the run, and the buffers they wrote: one can hold commits up on a slow disk. */
  checkpoints: Checkpoints;
}

export interface Checkpoints {
  count: number;
  buffers: number;
}

/** The server's checkpoints so far (pg_stat_checkpointer from PostgreSQL 17 on); NaN where neither view answers. */
export async function checkpointsSoFar(url: string): Promise<Checkpoints> {
  const queries = [
    "SELECT checkpoints_timed + checkpoints_req AS count, buffers_checkpoint AS buffers FROM pg_stat_bgwriter",
    "SELECT num_timed + num_requested AS count, buffers_written AS buffers FROM pg_stat_checkpointer",
  ];
  for (const sql of queries) {
    const row = await withClient(url, (c) => c.query<{ count: string; buffers: string }>(sql)).then(
      (r) => r.rows[0],
      () => undefined,
    );
    if (row !== undefined) return { count: Number(row.count), buffers: Number(row.buffers) };
  }
  return { count: Number.NaN, buffers: Number.NaN };
}

export function checkpointText(c: Checkpoints): string {
  return `${c.count} PostgreSQL checkpoint(s) during the run (${c.buffers} buffers written)`;
}

export interface Bridge {
  forwarded(): Promise<number>;
}

export async function drained(
  bridge: Bridge,
  published: () => number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await bridge.forwarded()) >= published()) return true;
    await sleep(200);
  }
  return false;
}

export async function measurePhase(
  broker: BrokerKind,
  appFetch: AppFetch,
  publisher: MqttClient,
  bridge: Bridge,
  rate: number,
  seconds: number,
  warmupSeconds: number,
  clients: number,
  clientId: (n: number) => string,
  databaseUrl: string,
): Promise<PhaseResult> {
  const pending = new Map<string, Pending[]>();
  const samples: { at: number; ms: number }[] = [];
  let recording = false;
  let resyncs = 0;
  const sse = await openSse(appFetch, (m, at) => {
    if (m.event === "resync") resyncs += recording ? 1 : 0;
    if (m.event !== "client") return;
    const client = JSON.parse(m.data) as { clientId: string; lastEventAt: string };
    const list = pending.get(client.clientId);
    if (list === undefined) return;
    const upTo = Date.parse(client.lastEventAt);
    const rest = list.filter((p) => {
      if (p.eventAt > upTo) return true;
      if (p.sentAt >= 0) samples.push({ at, ms: at - p.sentAt });
      return false;
    });
    if (rest.length === 0) pending.delete(client.clientId);
    else pending.set(client.clientId, rest);
  });
  try {
    await Promise.race([
      sse.listening,
      sleep(10_000).then(() => Promise.reject(new Error("SSE hub never started listening"))),
    ]);
    // Each client alternates connect/disconnect, one version per pair; the
    // event's timestamp is its send time (ms), which its `client` message echoes as lastEventAt.
    const steps = new Map<number, number>();
    let last = { id: "", eventAt: 0 };
    let made = 0;
    const make = (i: number): Message => {
      const n = i % clients;
      const step = steps.get(n) ?? 0;
      steps.set(n, step + 1);
      const id = clientId(n);
      const t = Date.now();
      last = { id, eventAt: t };
      made += 1;
      const version = Math.floor(step / 2);
      return toMessage(
        envelope(step % 2 === 0 ? connected(id, t, version) : disconnected(id, t, version)),
      );
    };
    // publishAtRate calls onPublish right after make(i): `last` is that event.
    const record = (warm: boolean) => (_i: number, at: number) => {
      const list = pending.get(last.id) ?? [];
      // Warm-up events are matched (to keep the map clean) but not recorded.
      list.push({ eventAt: last.eventAt, sentAt: warm ? -1 : at });
      pending.set(last.id, list);
    };
    const before = await bridge.forwarded();
    if (warmupSeconds > 0) {
      await publishAtRate(publisher, rate, warmupSeconds, make, record(true));
      await drained(bridge, () => before + made, 30_000);
    }
    const checkpoints0 = await checkpointsSoFar(databaseUrl);
    recording = true;
    const started = performance.timeOrigin + performance.now();
    const offset = made;
    const result = await publishAtRate(
      publisher,
      rate,
      seconds,
      (i) => make(i + offset),
      record(false),
    );
    const backlogAtEnd = Math.max(0, before + made - (await bridge.forwarded()));
    // Whatever is still queued gets up to 30 s to arrive (it counts, with its real latency).
    await drained(bridge, () => before + made, 30_000);
    const waitUntil = Date.now() + 3_000;
    while (
      Date.now() < waitUntil &&
      [...pending.values()].some((l) => l.some((p) => p.sentAt >= 0))
    )
      await sleep(100);
    recording = false;
    const checkpoints1 = await checkpointsSoFar(databaseUrl);
    let missed = 0;
    for (const list of pending.values()) missed += list.filter((p) => p.sentAt >= 0).length;
    const windows: number[][] = [];
    for (const s of samples) {
      const w = Math.floor((s.at - started) / 1000 / WINDOW_SECONDS);
      (windows[w] ??= []).push(s.ms);
    }
    return {
      broker,
      rate,
      achievedRate: result.sent / result.seconds,
      sent: result.sent,
      samples: samples.map((s) => s.ms),
      windowP99: windows
        .filter((w) => w !== undefined && w.length >= 100)
        .map((w) => percentile(w, 99)),
      missed,
      resyncs,
      backlogAtEnd,
      stalled: result.stalled,
      checkpoints: {
        count: checkpoints1.count - checkpoints0.count,
        buffers: checkpoints1.buffers - checkpoints0.buffers,
      },
    };
  } finally {
    sse.close();
  }
}
