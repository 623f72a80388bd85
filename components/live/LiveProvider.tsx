"use client";

import { useEffect, useSyncExternalStore, type ReactNode } from "react";
import { useFleetStream, type StreamState, type StreamView } from "./use-fleet-stream";
import { usePendingExpiry } from "./use-pending-expiry";

// The stream's state lives in a small store, not in a context value. A
// context change above a Suspense boundary whose server HTML is still
// streaming makes React give up hydrating that boundary and render it on the
// client; the server's copy then arrives into a page that no longer expects
// it and stays in the DOM, hidden (a second copy of every fleet row, which
// made e2e locators flaky). The stream opens as soon as the shell hydrates,
// often before the page's rows have streamed.
const CONNECTING: StreamView = { state: "connecting", catchingUp: false };
let current: StreamView = CONNECTING;
const listeners = new Set<() => void>();

function publish(next: StreamView): void {
  if (next.state === current.state && next.catchingUp === current.catchingUp) return;
  current = next;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** One event stream and one expiry timer for the whole app, whichever page is open. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const { state, catchingUp } = useFleetStream();
  usePendingExpiry();
  useEffect(() => publish({ state, catchingUp }), [state, catchingUp]);
  useEffect(() => () => publish(CONNECTING), []);
  return <>{children}</>;
}

export function useStreamView(): StreamView {
  return useSyncExternalStore(
    subscribe,
    () => current,
    () => CONNECTING,
  );
}

export function useStreamState(): StreamState {
  return useStreamView().state;
}
