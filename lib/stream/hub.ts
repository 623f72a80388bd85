// One LISTEN connection per process, shared by every open browser stream.
// Ingest (in any app instance) commits a batch and NOTIFYs once; each
// instance's hub reads the changed clients once and fans the encoded events
// out to its subscribers, so the database sees one query per batch per
// instance, not one per browser.
import "server-only";
import pg from "pg";
import { SESSIONS_CHANNEL } from "../auth/sessions";
import { liveFleetCounts } from "../clients/list";
import { ALERTS_CHANNEL } from "../alerts/notify";
import { CHANGES_CHANNEL } from "../ingest/store-sql";
import { clientsByIds } from "./changed-clients";
import { sseEvent } from "./sse";
import { parseAlertsPayload } from "../alerts/notify";
import { appLog } from "../log/logger";

export type Subscriber = (chunk: string) => void;

/** Past this many pending clients a full refetch is cheaper than pushing each one. */
const MAX_PUSHED_CLIENTS = 1_000;
/** Counts scan the whole fleet: at most this often, with a trailing update. */
const SUMMARY_INTERVAL_MS = 1_000;
/** A page reload closes and reopens a stream: keep LISTEN that long rather than churn. */
const IDLE_CLOSE_MS = 3_000;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

interface ChangePayload {
  clientIds: string[] | null;
}

function parsePayload(text: string | undefined): ChangePayload {
  try {
    const value = JSON.parse(text ?? "") as { clientIds?: unknown };
    if (Array.isArray(value.clientIds) && value.clientIds.every((id) => typeof id === "string")) {
      return { clientIds: value.clientIds };
    }
  } catch {
    // Not ours or malformed: treat as "something changed".
  }
  return { clientIds: null };
}

export class ChangeHub {
  private readonly subscribers = new Set<Subscriber>();
  private client: pg.Client | null = null;
  private connecting = false;
  private listening = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly pending = new Set<string>();
  private flushing = false;
  private lostSinceConnect = false;
  private lastSummaryAt = 0;
  private summaryTimer: NodeJS.Timeout | null = null;
  private readonly sessionListeners = new Set<() => void>();

  constructor(private readonly databaseUrl: () => string) {}

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  get isListening(): boolean {
    return this.listening;
  }

  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn);
    if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.client === null && !this.connecting && this.reconnectTimer === null)
      void this.connect();
    // A newcomer must know whether changes can reach it right now.
    fn(sseEvent("listener", { connected: this.listening }));
    return () => {
      if (!this.subscribers.delete(fn) || this.subscribers.size > 0) return;
      this.idleTimer = setTimeout(() => this.shutdown(), IDLE_CLOSE_MS);
      this.idleTimer.unref?.();
    };
  }

  /**
   * `fn` runs whenever the database announces ended sessions (SESSIONS_CHANNEL,
   * on this hub's LISTEN connection), and whenever the listener (re)connects
   * (notices sent before it listened are lost).
   */
  onSessionNotice(fn: () => void): void {
    this.sessionListeners.add(fn);
  }

  private sessionNotice(): void {
    for (const fn of this.sessionListeners) fn();
  }

  private broadcast(chunk: string): void {
    for (const fn of this.subscribers) fn(chunk);
  }

  private async connect(): Promise<void> {
    this.connecting = true;
    let client: pg.Client | undefined;
    try {
      client = new pg.Client({
        connectionString: this.databaseUrl(),
        connectionTimeoutMillis: 5_000,
      });
      const c = client;
      c.on("notification", (message) => {
        if (message.channel === CHANGES_CHANNEL) this.onNotification(message.payload);
        else if (message.channel === SESSIONS_CHANNEL) this.sessionNotice();
        // Alerts changed or a delivery was attempted: browsers refetch what they show of alerts.
        else if (message.channel === ALERTS_CHANNEL)
          this.broadcast(sseEvent("alerts", parseAlertsPayload(message.payload)));
      });
      c.on("error", () => this.onLost(c));
      c.on("end", () => this.onLost(c));
      await client.connect();
      await client.query(
        `LISTEN ${CHANGES_CHANNEL}; LISTEN ${ALERTS_CHANNEL}; LISTEN ${SESSIONS_CHANNEL}`,
      );
    } catch {
      this.connecting = false;
      this.lostSinceConnect = true;
      client?.end().catch(() => {});
      this.scheduleReconnect();
      return;
    }
    this.connecting = false;
    if (this.subscribers.size === 0) {
      // Everyone left while we were connecting.
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.listening = true;
    this.reconnectDelay = RECONNECT_MIN_MS;
    this.broadcast(sseEvent("listener", { connected: true }));
    // Notifications sent while the listener was down are lost: browsers refetch.
    if (this.lostSinceConnect)
      this.broadcast(sseEvent("resync", { reason: "listener-reconnected" }));
    this.lostSinceConnect = false;
    // A revocation announced before LISTEN was active (a logout just after
    // the first stream opened) reached nobody: check the open streams' sessions now.
    this.sessionNotice();
  }

  private onLost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.listening = false;
    this.lostSinceConnect = true;
    client.removeAllListeners("notification");
    client.end().catch(() => {});
    this.broadcast(sseEvent("listener", { connected: false }));
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.subscribers.size === 0 || this.reconnectTimer !== null) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.subscribers.size > 0) void this.connect();
    }, this.reconnectDelay);
    this.reconnectTimer.unref?.();
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
  }

  private shutdown(): void {
    this.idleTimer = null;
    if (this.subscribers.size > 0) return;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    if (this.summaryTimer !== null) clearTimeout(this.summaryTimer);
    this.reconnectTimer = null;
    this.summaryTimer = null;
    this.pending.clear();
    this.lostSinceConnect = false;
    const client = this.client;
    this.client = null;
    this.listening = false;
    if (client !== null) {
      client.removeAllListeners();
      client.on("error", () => {});
      client.end().catch(() => {});
    }
  }

  private onNotification(payload: string | undefined): void {
    const { clientIds } = parsePayload(payload);
    if (clientIds === null) {
      // Too many clients for one NOTIFY: the browsers refetch what they show.
      this.pending.clear();
      this.broadcast(sseEvent("resync", { reason: "bulk-change" }));
      this.scheduleSummary();
      return;
    }
    for (const id of clientIds) this.pending.add(id);
    if (!this.flushing) void this.flush();
  }

  /** Drains pending IDs; notifications that arrive meanwhile coalesce into the next round. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.size > 0 && this.subscribers.size > 0) {
        const ids = [...this.pending];
        this.pending.clear();
        if (ids.length > MAX_PUSHED_CLIENTS) {
          this.broadcast(sseEvent("resync", { reason: "bulk-change" }));
        } else {
          const clients = await clientsByIds(ids);
          this.broadcast(clients.map((c) => sseEvent("client", c)).join(""));
        }
        this.scheduleSummary();
      }
    } catch (error) {
      appLog.warn("stream: reading changed clients failed", { error });
      this.pending.clear();
      this.broadcast(sseEvent("resync", { reason: "read-failed" }));
    } finally {
      this.flushing = false;
    }
  }

  private scheduleSummary(): void {
    if (this.summaryTimer !== null) return;
    const wait = Math.max(0, this.lastSummaryAt + SUMMARY_INTERVAL_MS - Date.now());
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = null;
      this.lastSummaryAt = Date.now();
      if (this.subscribers.size === 0) return;
      liveFleetCounts().then(
        (counts) => this.broadcast(sseEvent("summary", counts)),
        (error: Error) => appLog.warn("stream: counting clients failed", { error }),
      );
    }, wait);
    this.summaryTimer.unref?.();
  }
}

const globalForHub = globalThis as unknown as { fleetChangeHub?: ChangeHub };

/** The process-wide hub (kept across Next.js hot reloads, like the pool). */
export function changeHub(): ChangeHub {
  globalForHub.fleetChangeHub ??= new ChangeHub(() => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set");
    return url;
  });
  return globalForHub.fleetChangeHub;
}
