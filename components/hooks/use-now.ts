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
    // A cached time from before anyone listened may be old: refresh it, but
    // only once it is a whole interval old. Rows that re-render together
    // leave and rejoin together; a time taken afresh each time they rejoin
    // would change under them, re-render them, and so on: React's "maximum
    // update depth" once a page has enough rows (seen on the fleet page in CI).
    const now = Date.now();
    if (now - snapshot(intervalMs) >= intervalMs) snapshots.set(intervalMs, now);
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

/**
 * One store per interval, its functions made once: useSyncExternalStore
 * subscribes again whenever it is handed a new subscribe function, and a
 * row re-rendering must not leave and rejoin the ticker.
 */
export interface NowStore {
  subscribe(listener: () => void): () => void;
  getSnapshot(): number;
}

const stores = new Map<number, NowStore>();

export function nowStore(intervalMs: number): NowStore {
  let store = stores.get(intervalMs);
  if (store === undefined) {
    store = {
      subscribe: (listener) => subscribe(intervalMs, listener),
      getSnapshot: () => snapshot(intervalMs),
    };
    stores.set(intervalMs, store);
  }
  return store;
}

const serverSnapshot = () => 0;

/** The current time, re-rendering every `intervalMs`. */
export function useNow(intervalMs = 15_000): number {
  const store = nowStore(intervalMs);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, serverSnapshot);
}
