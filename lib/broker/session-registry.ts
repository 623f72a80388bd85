// The bookkeeping AWS IoT does behind its lifecycle events: a versionNumber per
// client ID and a sessionIdentifier per MQTT session. Kept apart from Aedes so
// the rules can be tested with a fake clock. With a store, every change is
// written through (batched per tick) so numbering survives a broker restart.
import { randomUUID } from "node:crypto";

export interface ConnectionIdentity {
  versionNumber: number;
  sessionIdentifier: string;
}

/** An open connection as the registry remembers it (enough to announce its end later). */
export interface OpenConnection extends ConnectionIdentity {
  principalIdentifier: string;
}

export interface ClientRecord {
  version: number;
  /** Connections of this client ID currently open (a takeover overlaps two briefly). */
  open: OpenConnection[];
  lastDisconnectAt: number | null;
  /** The identifier of the client's persistent session, if it has one. */
  persistentSession: string | null;
}

/** Where the registry keeps its records between broker runs. */
export interface RegistryStore {
  load(): Promise<Iterable<[string, ClientRecord]>>;
  /** Applies the changes atomically: a record, or null to forget the client. */
  write(changes: [string, ClientRecord | null][]): Promise<void>;
}

export interface SessionRegistryOptions {
  now?: () => number;
  /** AWS resets versionNumber to 0 after about an hour offline. */
  versionResetMs?: number;
  store?: RegistryStore;
  onStoreError?: (error: unknown) => void;
}

export class SessionRegistry {
  private readonly clients = new Map<string, ClientRecord>();
  private readonly now: () => number;
  private readonly versionResetMs: number;
  private readonly store: RegistryStore | undefined;
  private readonly onStoreError: (error: unknown) => void;
  private readonly dirty = new Set<string>();
  /** The last write started or scheduled; resolves once it is stored (or failed, reported). */
  private tail: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(options: SessionRegistryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.versionResetMs = options.versionResetMs ?? 60 * 60 * 1000;
    this.store = options.store;
    this.onStoreError = options.onStoreError ?? (() => undefined);
  }

  /**
   * Reads the stored records. Connections still recorded as open did not end
   * through this registry (the broker stopped without closing them, e.g. it
   * crashed): they are returned, and closed now, as if they dropped at this moment.
   */
  async load(): Promise<{ clientId: string; connection: OpenConnection }[]> {
    if (!this.store) return [];
    const orphans: { clientId: string; connection: OpenConnection }[] = [];
    const now = this.now();
    for (const [clientId, record] of await this.store.load()) {
      if (record.open.length > 0) {
        for (const connection of record.open) orphans.push({ clientId, connection });
        record.open = [];
        record.lastDisconnectAt = now;
        this.markDirty(clientId);
      }
      this.clients.set(clientId, record);
    }
    return orphans;
  }

  private expired(record: ClientRecord, now: number): boolean {
    return (
      record.open.length === 0 &&
      record.lastDisconnectAt !== null &&
      now - record.lastDisconnectAt >= this.versionResetMs
    );
  }

  /** A new connection: the next versionNumber and the session's identifier. */
  connect(
    clientId: string,
    cleanSession: boolean,
    principalIdentifier = "anonymous",
  ): ConnectionIdentity {
    const record = this.clients.get(clientId);
    const now = this.now();
    let version = 0;
    let persistentSession: string | null = null;
    if (record) {
      const expired = this.expired(record, now);
      version = expired ? 0 : record.version + 1;
      // A session outlives its connections until it is cleaned or expires, like the version.
      persistentSession = expired ? null : record.persistentSession;
    }
    const sessionIdentifier = cleanSession ? randomUUID() : (persistentSession ?? randomUUID());
    const identity = { versionNumber: version, sessionIdentifier };
    this.clients.set(clientId, {
      version,
      open: [...(record?.open ?? []), { ...identity, principalIdentifier }],
      lastDisconnectAt: record?.lastDisconnectAt ?? null,
      persistentSession: cleanSession ? null : sessionIdentifier,
    });
    this.markDirty(clientId);
    return identity;
  }

  /** The end of the connection that got `versionNumber` (the oldest open one if unknown). */
  disconnect(clientId: string, versionNumber?: number): void {
    const record = this.clients.get(clientId);
    if (!record) return;
    const index = record.open.findIndex((c) => c.versionNumber === versionNumber);
    record.open.splice(index >= 0 ? index : 0, 1);
    record.lastDisconnectAt = this.now();
    this.markDirty(clientId);
  }

  /** Forgets clients offline past the reset window, so memory follows the live fleet. */
  prune(): number {
    const now = this.now();
    let removed = 0;
    for (const [clientId, record] of this.clients) {
      if (this.expired(record, now)) {
        this.clients.delete(clientId);
        this.markDirty(clientId);
        removed += 1;
      }
    }
    return removed;
  }

  get size(): number {
    return this.clients.size;
  }

  /** Resolves once every change made so far is in the store. */
  persisted(): Promise<void> {
    return this.tail;
  }

  private markDirty(clientId: string): void {
    const store = this.store;
    if (!store) return;
    this.dirty.add(clientId);
    if (this.scheduled) return;
    this.scheduled = true;
    // One batch per tick, after the previous batch: writes land in order.
    this.tail = this.tail
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        this.scheduled = false;
        const changes: [string, ClientRecord | null][] = [...this.dirty].map((id) => {
          const record = this.clients.get(id);
          return [id, record ? structuredClone(record) : null];
        });
        this.dirty.clear();
        return store.write(changes);
      })
      .catch((error: unknown) => this.onStoreError(error));
  }
}
