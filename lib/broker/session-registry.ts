// The bookkeeping AWS IoT does behind its lifecycle events: a versionNumber per
// client ID and a sessionIdentifier per MQTT session. Kept apart from Aedes so
// the rules can be tested with a fake clock.
import { randomUUID } from "node:crypto";

export interface ConnectionIdentity {
  versionNumber: number;
  sessionIdentifier: string;
}

interface ClientRecord {
  version: number;
  /** Connections of this client ID currently open (a takeover overlaps two briefly). */
  open: number;
  lastDisconnectAt: number | null;
  /** The identifier of the client's persistent session, if it has one. */
  persistentSession: string | null;
}

export interface SessionRegistryOptions {
  now?: () => number;
  /** AWS resets versionNumber to 0 after about an hour offline. */
  versionResetMs?: number;
}

export class SessionRegistry {
  private readonly clients = new Map<string, ClientRecord>();
  private readonly now: () => number;
  private readonly versionResetMs: number;

  constructor(options: SessionRegistryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.versionResetMs = options.versionResetMs ?? 60 * 60 * 1000;
  }

  /** A new connection: the next versionNumber and the session's identifier. */
  connect(clientId: string, cleanSession: boolean): ConnectionIdentity {
    const record = this.clients.get(clientId);
    const now = this.now();
    let version = 0;
    let persistentSession: string | null = null;
    if (record) {
      const expired =
        record.open === 0 &&
        record.lastDisconnectAt !== null &&
        now - record.lastDisconnectAt >= this.versionResetMs;
      version = expired ? 0 : record.version + 1;
      // A session outlives its connections until it is cleaned or expires, like the version.
      persistentSession = expired ? null : record.persistentSession;
    }
    const sessionIdentifier = cleanSession ? randomUUID() : (persistentSession ?? randomUUID());
    this.clients.set(clientId, {
      version,
      open: (record?.open ?? 0) + 1,
      lastDisconnectAt: record?.lastDisconnectAt ?? null,
      persistentSession: cleanSession ? null : sessionIdentifier,
    });
    return { versionNumber: version, sessionIdentifier };
  }

  disconnect(clientId: string): void {
    const record = this.clients.get(clientId);
    if (!record) return;
    record.open = Math.max(0, record.open - 1);
    record.lastDisconnectAt = this.now();
  }

  /** Forgets clients offline past the reset window, so memory follows the live fleet. */
  prune(): number {
    const now = this.now();
    let removed = 0;
    for (const [clientId, record] of this.clients) {
      if (
        record.open === 0 &&
        record.lastDisconnectAt !== null &&
        now - record.lastDisconnectAt >= this.versionResetMs
      ) {
        this.clients.delete(clientId);
        removed += 1;
      }
    }
    return removed;
  }

  get size(): number {
    return this.clients.size;
  }
}
