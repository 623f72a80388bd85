// Moves spooled events to ingest in batches. A batch goes out when it is full
// (max events or bytes) or its oldest event has waited max-wait; a few batches
// may be in flight at once, but the spool cursor only advances over a
// contiguous run of acknowledged ones, so a crash never skips an event.
import { appendFileSync } from "node:fs";
import path from "node:path";
import type { IngestClient } from "./ingest-client";
import type { Logger } from "./logger";
import type { BridgeMetrics } from "./metrics";
import type { Spool, SpoolBatch } from "./spool";

export interface ForwarderOptions {
  spool: Spool;
  client: IngestClient;
  metrics: BridgeMetrics;
  log: Logger;
  maxEvents: number;
  maxWaitMs: number;
  maxBytes: number;
  maxInFlight: number;
  retryBaseMs: number;
  retryMaxMs: number;
  onFatal: (error: Error) => void;
  now?: () => number;
}

interface Job {
  batch: SpoolBatch;
  done: boolean;
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class Forwarder {
  private readonly o: ForwarderOptions;
  private readonly now: () => number;
  private readonly inFlight: Job[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing = false;
  private stopped = false;
  private fatalError: Error | null = null;
  private idleWaiters: (() => void)[] = [];
  private sleepers = new Set<() => void>();

  constructor(options: ForwarderOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
  }

  get fatal(): Error | null {
    return this.fatalError;
  }

  /** Age of the oldest event not yet acknowledged by ingest. */
  lagMs(): number {
    const oldest = this.inFlight[0]?.batch.firstReceivedAt ?? this.o.spool.oldestUnreadAt;
    return oldest === null ? 0 : Math.max(0, this.now() - oldest);
  }

  /** Called after each append: sends at once if a batch is full, else arms the max-wait timer. */
  notify(): void {
    if (this.timer === null || this.o.spool.unread >= this.o.maxEvents) this.pump();
  }

  private pump(): void {
    if (this.stopped || this.fatalError) return;
    const { spool } = this.o;
    while (this.inFlight.length < this.o.maxInFlight && spool.unread > 0) {
      const oldest = spool.oldestUnreadAt ?? this.now();
      const wait = this.o.maxWaitMs - (this.now() - oldest);
      if (!this.flushing && spool.unread < this.o.maxEvents && wait > 0) {
        if (this.timer === null) {
          this.timer = setTimeout(() => {
            this.timer = null;
            this.pump();
          }, wait);
        }
        return;
      }
      const batch = spool.readBatch(this.o.maxEvents, this.o.maxBytes);
      if (!batch) break;
      const job: Job = { batch, done: false };
      this.inFlight.push(job);
      void this.send(job);
    }
    if (this.timer !== null && spool.unread === 0) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.checkIdle();
  }

  private async send(job: Job): Promise<void> {
    const ok = await this.deliver(job.batch.envelopes);
    if (!ok) return; // stopped or fatal: the batch stays in the spool for the next run
    job.done = true;
    while (this.inFlight[0]?.done) {
      const head = this.inFlight.shift()!;
      this.o.spool.commit(head.batch.end, head.batch.envelopes.length);
    }
    this.pump();
  }

  /** Sends envelopes until ingest takes them; false if the bridge stopped first. */
  private async deliver(envelopes: string[]): Promise<boolean> {
    const { metrics, log } = this.o;
    for (let attempt = 0; ; attempt += 1) {
      if (this.stopped || this.fatalError) return false;
      const endTimer = metrics.requestSeconds.startTimer();
      const outcome = await this.o.client.post(`[${envelopes.join(",")}]`);
      endTimer();
      metrics.requests.inc({ outcome: outcome.kind });
      switch (outcome.kind) {
        case "ok": {
          const { counts } = outcome;
          metrics.forwarded.inc(envelopes.length);
          metrics.duplicates.inc(counts.duplicates);
          metrics.rejected.inc(counts.rejected.length);
          for (const r of counts.rejected.slice(0, 10)) {
            log.warn("ingest quarantined an event", {
              error: r.error,
              envelope: envelopes[r.index]?.slice(0, 500),
            });
          }
          return true;
        }
        case "retry": {
          metrics.retried.inc({
            reason: outcome.status === null ? "network" : String(outcome.status),
          });
          const delay = Math.max(
            outcome.retryAfterMs ?? 0,
            backoffMs(attempt, this.o.retryBaseMs, this.o.retryMaxMs),
          );
          log.warn("ingest unavailable, will retry", {
            reason: outcome.reason,
            attempt: attempt + 1,
            delayMs: delay,
          });
          await this.sleep(delay);
          continue;
        }
        case "split": {
          if (envelopes.length === 1) {
            this.deadLetter(envelopes[0]!, outcome.reason);
            return true;
          }
          // Halve until the offending event is alone; the rest still gets through.
          const mid = Math.ceil(envelopes.length / 2);
          return (
            (await this.deliver(envelopes.slice(0, mid))) && this.deliver(envelopes.slice(mid))
          );
        }
        case "fatal": {
          this.fatalError = new Error(
            `ingest refused the bridge: ${outcome.reason}. Check INGEST_URL and INGEST_TOKEN; nothing is lost, events wait in the spool.`,
          );
          log.error("stopping: ingest refuses the bridge", {
            status: outcome.status,
            reason: outcome.reason,
          });
          this.wakeAll();
          this.o.onFatal(this.fatalError);
          return false;
        }
      }
    }
  }

  private deadLetter(envelope: string, reason: string): void {
    this.o.metrics.deadLettered.inc();
    this.o.log.error("ingest refused an event even alone; kept in dead-letter.jsonl", { reason });
    const line = JSON.stringify({ time: new Date(this.now()).toISOString(), reason, envelope });
    appendFileSync(path.join(this.o.spool.dir, "dead-letter.jsonl"), line + "\n");
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.sleepers]) wake();
    this.checkIdle();
  }

  private checkIdle(): void {
    const idle =
      this.fatalError !== null ||
      this.stopped ||
      (this.inFlight.length === 0 && this.o.spool.unread === 0);
    if (idle) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /**
   * Sends everything spooled without waiting for full batches; resolves true
   * once all of it is acknowledged, false on timeout or a fatal error.
   */
  async flush(timeoutMs: number): Promise<boolean> {
    this.flushing = true;
    const drained = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    this.pump();
    await Promise.race([drained, timeout]);
    this.flushing = false;
    return this.fatalError === null && this.inFlight.length === 0 && this.o.spool.unread === 0;
  }

  /** Stops sending; unacknowledged batches stay in the spool. Waits for requests on the wire. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.wakeAll();
  }
}
