// Moves spooled events to ingest in batches, up to max-in-flight at once. A
// batch goes out on a free slot when it is full (max events or bytes), when
// its oldest event has waited linger (a steady stream goes out in batches of
// linger's worth of events instead of waiting max-wait for a batch that fills
// slowly; when every slot is busy, batches grow while they wait, so under load
// they fill), or, while nothing is in flight, when the stream pauses (nothing
// new for a tenth of max-wait: the end of a burst). Max-wait bounds the wait
// when linger is set longer. The spool cursor only advances over a contiguous
// run of acknowledged batches, so a crash never skips an event.
import { appendFileSync } from "node:fs";
import path from "node:path";
import type { IngestClient } from "./ingest-client";
import type { Logger } from "../log/logger";
import type { BridgeMetrics } from "./metrics";
import type { Spool, SpoolBatch } from "./spool";

export interface ForwarderOptions {
  spool: Spool;
  client: IngestClient;
  metrics: BridgeMetrics;
  log: Logger;
  maxEvents: number;
  maxWaitMs: number;
  /** A partial batch goes out on a free slot once its oldest event has waited this long. */
  lingerMs: number;
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
  private timerDue = 0;
  private flushing = false;
  /** When events last arrived; a partial batch goes out once the stream has been quiet for `idleMs`. */
  private lastNotifyAt = 0;
  private readonly idleMs: number;
  private stopped = false;
  private fatalError: Error | null = null;
  private idleWaiters: (() => void)[] = [];
  private sleepers = new Set<() => void>();

  constructor(options: ForwarderOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
    this.idleMs = Math.max(1, Math.round(options.maxWaitMs / 10));
  }

  get fatal(): Error | null {
    return this.fatalError;
  }

  /** Age of the oldest event not yet acknowledged by ingest. */
  lagMs(): number {
    const oldest = this.inFlight[0]?.batch.firstReceivedAt ?? this.o.spool.oldestUnreadAt;
    return oldest === null ? 0 : Math.max(0, this.now() - oldest);
  }

  /** Called after each spool write: sends at once if a batch is full, else arms the timer. */
  notify(): void {
    this.lastNotifyAt = this.now();
    if (this.timer === null || this.o.spool.unread >= this.o.maxEvents) this.pump();
  }

  private pump(): void {
    if (this.stopped || this.fatalError) return;
    const { spool } = this.o;
    while (this.inFlight.length < this.o.maxInFlight && spool.unread > 0) {
      const now = this.now();
      const oldest = spool.oldestUnreadAt ?? now;
      const wait = this.o.maxWaitMs - (now - oldest);
      // A pause in the stream sends a partial batch only while ingest has nothing else to do.
      const lingerLeft = this.o.lingerMs - (now - oldest);
      const quietLeft =
        this.inFlight.length === 0 ? this.idleMs - (now - this.lastNotifyAt) : Infinity;
      if (
        !this.flushing &&
        spool.unread < this.o.maxEvents &&
        wait > 0 &&
        lingerLeft > 0 &&
        quietLeft > 0
      ) {
        // Re-armed when the stream paused and that now comes sooner than linger.
        const delay = Math.min(wait, lingerLeft, quietLeft);
        if (this.timer === null || now + delay < this.timerDue) {
          if (this.timer !== null) clearTimeout(this.timer);
          this.timerDue = now + delay;
          this.timer = setTimeout(() => {
            this.timer = null;
            this.pump();
          }, delay);
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
    const { batch } = job;
    const ok = await this.deliver(batch.body, batch.count, batch.envelopes);
    if (!ok) return; // stopped or fatal: the batch stays in the spool for the next run
    job.done = true;
    // One cursor write for the whole acknowledged run, however many batches it holds.
    let last: Job | null = null;
    let count = 0;
    while (this.inFlight[0]?.done) {
      last = this.inFlight.shift()!;
      count += last.batch.count;
    }
    if (last) this.o.spool.commit(last.batch.end, count);
    this.pump();
  }

  /**
   * Sends a batch body until ingest takes it; false if the bridge stopped
   * first. `envelopes` decodes its events, for splitting and logging.
   */
  private async deliver(
    body: Buffer | string,
    count: number,
    envelopes: () => string[],
  ): Promise<boolean> {
    const { metrics, log } = this.o;
    for (let attempt = 0; ; attempt += 1) {
      if (this.stopped || this.fatalError) return false;
      const endTimer = metrics.requestSeconds.startTimer();
      const outcome = await this.o.client.post(body);
      endTimer();
      metrics.requests.inc({ outcome: outcome.kind });
      switch (outcome.kind) {
        case "ok": {
          const { counts } = outcome;
          metrics.forwarded.inc(count);
          metrics.lastForwardSeconds.set(this.now() / 1000);
          if (counts.duplicates > 0) metrics.duplicates.inc(counts.duplicates);
          if (counts.rejected.length > 0) {
            metrics.rejected.inc(counts.rejected.length);
            const all = envelopes();
            for (const r of counts.rejected.slice(0, 10)) {
              log.warn("ingest quarantined an event", {
                error: r.error,
                envelope: all[r.index]?.slice(0, 500),
              });
            }
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
          const all = envelopes();
          if (all.length === 1) {
            this.deadLetter(all[0]!, outcome.reason);
            return true;
          }
          // Halve until the offending event is alone; the rest still gets through.
          const half = (part: string[]) =>
            this.deliver(`[${part.join(",")}]`, part.length, () => part);
          const mid = Math.ceil(all.length / 2);
          return (await half(all.slice(0, mid))) && half(all.slice(mid));
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
