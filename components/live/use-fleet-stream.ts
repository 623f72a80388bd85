"use client";

import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { ClientView, Counts } from "@/lib/clients/schemas";
import type { OnlineHistory } from "@/lib/stats/schemas";
import { fetchJson } from "../hooks/fetch-json";
import { queryKeys } from "../hooks/query-keys";
import type { ClientListParams } from "@/contract/client-list";
import type { ClientPages } from "../hooks/use-clients-query";
import { patchClientPages } from "./patch-clients";
import { setServerTime } from "./server-clock";

export type StreamState = "connecting" | "live" | "reconnecting";

/**
 * What the live indicator shows: the stream's state, and whether changes
 * currently come faster than they can be shown one by one (the server sent
 * `resync` for a bulk change, or this tab's buffer overflowed), so the view
 * refreshes in bulk instead.
 */
export interface StreamView {
  state: StreamState;
  catchingUp: boolean;
}

/** A busy fleet pushes many events a second: the cache takes them in batches. */
const APPLY_EVERY_MS = 150;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 15_000;
/** Bulk changes may come batch after batch: refetch at most this often. */
const RESYNC_MIN_INTERVAL_MS = 2_000;
/**
 * Changed clients one apply may take; past it, patching each would cost the
 * tab more than one refetch, so the buffer is dropped for a resync.
 */
const MAX_BUFFERED_CLIENTS = 2_000;
/** "Catching up" stays shown this long after the last bulk change, so it does not flicker. */
const CATCHING_UP_MS = 8_000;

/** Patches every cached view of the changed clients; refetches only the open device's details. */
export function applyClientChanges(queryClient: QueryClient, changed: readonly ClientView[]): void {
  if (changed.length === 0) return;
  for (const query of queryClient.getQueryCache().findAll({ queryKey: queryKeys.clientsRoot() })) {
    const params = (query.queryKey[1] ?? {}) as ClientListParams;
    // A list of a past moment does not change with today's events: paused.
    if (params.asOf !== undefined) continue;
    queryClient.setQueryData<ClientPages>(query.queryKey, (data) =>
      data === undefined ? data : patchClientPages(data, params, changed),
    );
  }
  for (const client of changed) {
    const key = queryKeys.client(client.clientId);
    if (queryClient.getQueryData(key) !== undefined) {
      queryClient.setQueryData(key, client);
      // Its timeline, events and subscriptions changed too; only an open device page refetches.
      void queryClient.invalidateQueries({ queryKey: queryKeys.deviceRoot(client.clientId) });
    }
  }
}

function applySummary(queryClient: QueryClient, counts: Counts): void {
  queryClient.setQueryData(queryKeys.summary(), counts);
  // The chart's last point is "now": keep it in step with the counters.
  for (const query of queryClient
    .getQueryCache()
    .findAll({ queryKey: queryKeys.onlineHistoryRoot() })) {
    queryClient.setQueryData<OnlineHistory>(query.queryKey, (h) => {
      const last = h?.points[h.points.length - 1];
      if (h === undefined || last === undefined) return h;
      return { ...h, points: h.points.with(-1, { ...last, online: counts.online }) };
    });
  }
}

/**
 * Everything the stream keeps fresh, refetched once after a gap or a bulk
 * change. A list scrolled 50 pages deep would refetch 50 pages: it keeps
 * only its first page, which then refetches alone.
 */
function resync(queryClient: QueryClient): void {
  queryClient.setQueriesData<ClientPages>({ queryKey: queryKeys.clientsRoot() }, (data) =>
    data === undefined || data.pages.length <= 1
      ? data
      : { pages: data.pages.slice(0, 1), pageParams: data.pageParams.slice(0, 1) },
  );
  for (const key of [
    queryKeys.clientsRoot(),
    queryKeys.summary(),
    ["client"],
    ["device"],
    queryKeys.onlineHistoryRoot(),
    queryKeys.alertsRoot(),
  ]) {
    void queryClient.invalidateQueries({ queryKey: key });
  }
}

/**
 * Subscribes to GET /api/stream and patches the React Query cache from it.
 * EventSource reconnects by itself after a network error; a refused
 * connection (e.g. 503) closes it for good, so that case retries by hand.
 */
export function useFleetStream(): StreamView {
  const queryClient = useQueryClient();
  const [state, setState] = useState<StreamState>("connecting");
  const [catchingUp, setCatchingUp] = useState(false);

  useEffect(() => {
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let retryDelay = RETRY_MIN_MS;
    let hadGap = false;
    let listenerUp = false;
    let disposed = false;
    const buffer = new Map<string, ClientView>();
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let resyncTimer: ReturnType<typeof setTimeout> | undefined;
    let lastResync = 0;
    let catchingUpTimer: ReturnType<typeof setTimeout> | undefined;

    /** Changes outpace what the view can show one by one: refresh in bulk, and say so. */
    const coalesce = () => {
      setCatchingUp(true);
      clearTimeout(catchingUpTimer);
      catchingUpTimer = setTimeout(() => setCatchingUp(false), CATCHING_UP_MS);
      requestResync();
    };

    const requestResync = () => {
      if (resyncTimer !== undefined) return;
      const wait = Math.max(0, lastResync + RESYNC_MIN_INTERVAL_MS - Date.now());
      resyncTimer = setTimeout(() => {
        resyncTimer = undefined;
        lastResync = Date.now();
        // Pushed changes still buffered are older than what the refetch brings.
        buffer.clear();
        resync(queryClient);
      }, wait);
    };

    const flush = () => {
      flushTimer = undefined;
      const changed = [...buffer.values()];
      buffer.clear();
      applyClientChanges(queryClient, changed);
    };

    const connect = () => {
      source = new EventSource("/api/stream");
      source.addEventListener("open", () => {
        retryDelay = RETRY_MIN_MS;
        // Whatever happened while the stream was down is not in the cache.
        if (hadGap) requestResync();
        hadGap = false;
      });
      source.addEventListener("listener", (e) => {
        listenerUp = (JSON.parse((e as MessageEvent<string>).data) as { connected: boolean })
          .connected;
        setState(listenerUp ? "live" : "reconnecting");
      });
      source.addEventListener("client", (e) => {
        const client = JSON.parse((e as MessageEvent<string>).data) as ClientView;
        buffer.set(client.clientId, client);
        if (buffer.size > MAX_BUFFERED_CLIENTS) {
          buffer.clear();
          coalesce();
          return;
        }
        flushTimer ??= setTimeout(flush, APPLY_EVERY_MS);
      });
      source.addEventListener("summary", (e) => {
        applySummary(queryClient, JSON.parse((e as MessageEvent<string>).data) as Counts);
      });
      source.addEventListener("ready", (e) => {
        setServerTime((JSON.parse((e as MessageEvent<string>).data) as { at: string }).at);
      });
      source.addEventListener("resync", (e) => {
        const { reason } = JSON.parse((e as MessageEvent<string>).data) as { reason?: string };
        // A gap (the listener reconnected, a read failed) is not a rush of changes.
        if (reason === "bulk-change") coalesce();
        else requestResync();
      });
      // An alert fired or resolved, or a delivery was attempted (any app instance).
      source.addEventListener("alerts", () => {
        void queryClient.invalidateQueries({ queryKey: queryKeys.alertsRoot() });
      });
      // The server ended the stream on purpose (lib/stream/sse.ts, sseClose).
      source.addEventListener("close", (e) => {
        const { reason, retryMs } = JSON.parse((e as MessageEvent<string>).data) as {
          reason: string;
          retryMs: number;
        };
        source?.close();
        hadGap = true;
        setState("reconnecting");
        if (reason === "shutdown") {
          // The server is going away: come back once it (or another instance) is up.
          retryTimer = setTimeout(connect, retryMs);
        } else {
          // The session is over: the 401 sends the browser to the login page. Should the
          // session still be good (a check raced a new login), the stream comes back.
          fetchJson("/api/auth/me").then(
            () => {
              if (!disposed) retryTimer = setTimeout(connect, RETRY_MIN_MS);
            },
            () => {},
          );
        }
      });
      source.addEventListener("error", () => {
        hadGap = true;
        setState("reconnecting");
        if (source?.readyState === EventSource.CLOSED && !disposed) {
          source.close();
          // EventSource hides the status of a refused stream. If it was a 401
          // (the session ended), this request says so and fetchJson goes to the login page.
          fetchJson("/api/auth/me").catch(() => {});
          retryTimer = setTimeout(connect, retryDelay);
          retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
        }
      });
    };

    connect();
    return () => {
      disposed = true;
      clearTimeout(retryTimer);
      clearTimeout(flushTimer);
      clearTimeout(resyncTimer);
      clearTimeout(catchingUpTimer);
      source?.close();
    };
  }, [queryClient]);

  return { state, catchingUp };
}
