// The broker's durable state in one LevelDB directory: Aedes' sessions
// (subscriptions, queued and in-flight QoS 1/2 messages, retained messages,
// wills) through aedes-persistence-level, and the lifecycle session registry
// in a sublevel of the same database. LevelDB appends every write to its log
// before acknowledging it, so a crashed process loses nothing it acknowledged
// (a power loss can cost the last writes: LevelDB does not fsync by default).
import { mkdirSync } from "node:fs";
import AsyncLevelPersistence from "aedes-persistence-level/asyncPersistence.js";
import { ClassicLevel } from "classic-level";
import type { ClientRecord, RegistryStore } from "./session-registry";

export interface BrokerStore {
  /** An Aedes persistence (promise API) backed by the store. */
  persistence: unknown;
  registry: RegistryStore;
  /** Waits for the persistence operations Aedes started, then closes the database. */
  close(): Promise<void>;
}

/**
 * The calls a publication awaits before Aedes hands the message to the
 * subscribed clients. Aedes drops a message whose per-broker counter is not
 * above the last one a client got ("dedupe"), so publications must reach the
 * clients in counter order: LevelDB completes concurrent writes in any order,
 * and without this a persistent subscriber silently missed a message now and
 * then (it stayed queued until the next reconnect).
 */
const ORDERED = new Set<PropertyKey>([
  "storeRetained",
  "subscriptionsByTopic",
  "outgoingEnqueue",
  "outgoingEnqueueCombi",
]);

/**
 * Wraps a persistence so that every promise it hands out is tracked (Aedes
 * fires some writes without waiting, such as will cleanup and PUBACK
 * bookkeeping, and the database must not close under them), and the calls in
 * ORDERED resolve in the order they were made.
 */
function tracked<T extends object>(target: T, pending: Set<Promise<unknown>>): T {
  let tail: Promise<unknown> = Promise.resolve();
  return new Proxy(target, {
    get(t, property) {
      const value: unknown = Reflect.get(t, property, t);
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      // Aedes insists on an async setup().
      if (property === "setup") return async (...args: unknown[]) => method.apply(t, args);
      return (...args: unknown[]) => {
        const result = method.apply(t, args);
        if (!(result instanceof Promise)) return result;
        const settle = () => pending.delete(result);
        pending.add(result);
        result.then(settle, settle);
        if (!ORDERED.has(property)) return result;
        const previous = tail;
        const ordered = result.then(
          (outcome: unknown) => previous.then(() => outcome),
          (error: unknown) =>
            previous.then(() => {
              throw error;
            }),
        );
        tail = ordered.catch(() => undefined);
        return ordered;
      };
    },
  });
}

export async function openBrokerStore(dataDir: string): Promise<BrokerStore> {
  mkdirSync(dataDir, { recursive: true });
  const db = new ClassicLevel<string, string>(dataDir);
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new Error(
      `cannot open the broker data directory ${dataDir}${cause ? `: ${cause}` : ""} (another broker using it?)`,
      { cause: error },
    );
  }
  const registryDb = db.sublevel<string, ClientRecord>("lifecycle-registry", {
    valueEncoding: "json",
  });
  const pending = new Set<Promise<unknown>>();
  const persistence = tracked(new AsyncLevelPersistence(db), pending);
  return {
    persistence,
    registry: {
      load: async () => {
        const entries: [string, ClientRecord][] = [];
        for await (const entry of registryDb.iterator()) entries.push(entry);
        return entries;
      },
      write: (changes) =>
        registryDb.batch(
          changes.map(([key, value]) =>
            value === null ? { type: "del", key } : { type: "put", key, value },
          ),
        ),
    },
    close: async () => {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await db.close();
    },
  };
}
