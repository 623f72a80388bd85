"use client";

import { createContext, useContext, type ReactNode } from "react";
import { useFleetStream, type StreamState } from "./use-fleet-stream";
import { usePendingExpiry } from "./use-pending-expiry";

const StreamStateContext = createContext<StreamState>("connecting");

/** One event stream and one expiry timer for the whole app, whichever page is open. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const state = useFleetStream();
  usePendingExpiry();
  return <StreamStateContext.Provider value={state}>{children}</StreamStateContext.Provider>;
}

export function useStreamState(): StreamState {
  return useContext(StreamStateContext);
}
