"use client";

import { useSyncExternalStore } from "react";

// One timer per interval for the whole page, however many rows show a relative time.
const tickers = new Map<
  number,
  { listeners: Set<() => void>; timer: ReturnType<typeof setInterval> }
>();
// getSnapshot must return the same value until something changes, so the time is cached.
const snapshots = new Map<number, number>();

function snapshot(intervalMs: number): number {
  let now = snapshots.get(intervalMs);
  if (now === undefined) {
    now = Date.now();
    snapshots.set(intervalMs, now);
  }
  return now;
}

function subscribe(intervalMs: number, listener: () => void): () => void {
  let ticker = tickers.get(intervalMs);
  if (ticker === undefined) {
    // A cached time from before anyone listened may be old: refresh it.
    snapshots.set(intervalMs, Date.now());
    const created = {
      listeners: new Set<() => void>(),
      timer: setInterval(() => {
        snapshots.set(intervalMs, Date.now());
        for (const l of created.listeners) l();
      }, intervalMs),
    };
    ticker = created;
    tickers.set(intervalMs, ticker);
  }
  ticker.listeners.add(listener);
  const current = ticker;
  return () => {
    current.listeners.delete(listener);
    if (current.listeners.size === 0) {
      clearInterval(current.timer);
      tickers.delete(intervalMs);
    }
  };
}

/** The current time, re-rendering every `intervalMs`. */
export function useNow(intervalMs = 15_000): number {
  return useSyncExternalStore(
    (listener) => subscribe(intervalMs, listener),
    () => snapshot(intervalMs),
    () => 0,
  );
}
