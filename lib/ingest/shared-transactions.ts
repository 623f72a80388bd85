// Requests that carry one event each (an AWS IoT rule action sends one per
// request) would each pay a whole transaction: its round trips and its
// commit. Here they share them: up to MAX_RUNNING transactions run at once
// per process; requests that arrive while all are busy wait, and the next
// free transaction stores all of them together. At low load nothing waits.
// Each request is answered only after the transaction holding its events
// commits, with its own counts; a failure fails every request in it, so
// nothing is acknowledged that was not stored.
import type { ParsedBatch } from "./parse";
import type { StoreResult } from "./store";

/** Shared transactions running at once (each holds one pooled connection). */
export const MAX_RUNNING = 4;
/** Items one shared transaction takes at most; the rest wait for the next. */
export const MAX_SHARED_ITEMS = 1000;

export type StoreFn = (
  accepted: ParsedBatch["accepted"],
  rejected: ParsedBatch["rejected"],
  receivedAt: Date,
) => Promise<StoreResult>;

interface Waiting {
  batch: ParsedBatch;
  resolve: (counts: { inserted: number; duplicates: number }) => void;
  reject: (error: unknown) => void;
}

const sizeOf = (b: ParsedBatch) => b.accepted.length + b.rejected.length;

export class SharedTransactions {
  private readonly queue: Waiting[] = [];
  private running = 0;

  constructor(
    private readonly store: StoreFn,
    private readonly maxRunning = MAX_RUNNING,
    private readonly maxItems = MAX_SHARED_ITEMS,
  ) {}

  /** Stores `batch`, maybe with other requests' batches; resolves once committed. */
  submit(batch: ParsedBatch): Promise<{ inserted: number; duplicates: number }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.maxRunning && this.queue.length > 0) {
      const group: Waiting[] = [];
      let items = 0;
      while (
        this.queue.length > 0 &&
        (group.length === 0 || items + sizeOf(this.queue[0]!.batch) <= this.maxItems)
      ) {
        const next = this.queue.shift()!;
        items += sizeOf(next.batch);
        group.push(next);
      }
      this.running += 1;
      void this.run(group).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async run(group: readonly Waiting[]): Promise<void> {
    try {
      const stored = await this.store(
        group.flatMap((w) => w.batch.accepted),
        group.flatMap((w) => w.batch.rejected),
        new Date(),
      );
      // An event sent in two requests of one group is stored once: the
      // first request in arrival order counts it, the other as a duplicate.
      const fresh = new Set(stored.freshKeys);
      for (const w of group) {
        let inserted = 0;
        for (const a of w.batch.accepted) if (fresh.delete(a.dedupeKey)) inserted += 1;
        w.resolve({ inserted, duplicates: w.batch.accepted.length - inserted });
      }
    } catch (error) {
      for (const w of group) w.reject(error);
    }
  }
}
