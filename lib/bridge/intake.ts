// The bridge's intake: turns each MQTT message into the envelope POST
// /api/ingest takes and queues it for the spool; `flush` makes a turn's
// messages durable (one write) before the MQTT side lets their PUBACKs go.
import type { Logger } from "../log/logger";
import { EmqxMapper } from "./emqx";
import type { BridgeMetrics } from "./metrics";
import type { Spool } from "./spool";
import { canonicalTopic } from "./topic-prefix";

export interface IntakeOptions {
  spool: Spool;
  metrics: BridgeMetrics;
  log: Logger;
  /** Lifecycle events arrive republished under this prefix (topic-prefix.ts). */
  topicPrefix?: string;
  /** Map EMQX's `$SYS/.../connected|disconnected` messages. */
  emqx?: boolean;
  /** Called after a flush wrote something: the forwarder has work. */
  onSpooled(): void;
}

export interface Intake {
  /** Queues a message for `flush`; returns a promise while the spool is full. */
  onMessage(topic: string, payload: Buffer): void | Promise<void>;
  /** Called once per event-loop turn by the MQTT side, before it lets that turn's PUBACKs go. */
  flush(): void;
  /** Events made durable so far. */
  readonly received: number;
}

/** The ingest envelope of a message, or null for one that is not a lifecycle event. */
function envelopeOf(
  topic: string,
  payload: Buffer,
  prefix: string | undefined,
  emqx: EmqxMapper | null,
): string | null {
  const text = payload.toString("utf8");
  const republished = prefix === undefined ? null : canonicalTopic(prefix, topic, text);
  if (republished !== null || topic.startsWith("$aws/events/")) {
    // What JSON.stringify({ topic, payload }) gives, without the object.
    return `{"topic":${JSON.stringify(republished ?? topic)},"payload":${JSON.stringify(text)}}`;
  }
  const mapped = emqx?.map(topic, text);
  return mapped ? JSON.stringify(mapped) : null;
}

export function createIntake(o: IntakeOptions): Intake {
  const { spool, metrics, log } = o;
  const emqx = o.emqx ? new EmqxMapper() : null;
  let received = 0;
  let holding = false;
  const append = (envelope: string) => spool.enqueue(Date.now(), envelope);
  // Spool full: hold this PUBACK (and so the stream) until ingest frees space.
  const appendWhenRoom = async (envelope: string): Promise<void> => {
    if (!holding)
      log.warn("spool full; holding acknowledgements until ingest catches up", {
        bytes: spool.bytes,
      });
    holding = true;
    while (!spool.hasRoom(envelope.length + 16)) await spool.waitForRoom();
    holding = false;
    append(envelope);
  };
  return {
    get received() {
      return received;
    },
    flush: () => {
      const written = spool.flush();
      if (written === 0) return;
      received += written;
      metrics.received.inc(written);
      o.onSpooled();
    },
    onMessage: (topic, payload) => {
      const envelope = envelopeOf(topic, payload, o.topicPrefix, emqx);
      if (envelope === null) {
        metrics.ignored.inc();
        return;
      }
      if (spool.hasRoom(envelope.length + 16)) return append(envelope);
      return appendWhenRoom(envelope);
    },
  };
}
