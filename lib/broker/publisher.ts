// The broker's one way out for lifecycle events: each is published only after
// the registry changes made so far are stored, so an event never carries a
// versionNumber or sessionIdentifier that a restart could hand out again.
import type { Aedes, PublishPacket } from "aedes";
import type { Logger } from "../log/logger";
import { emitsLifecycleEvents, type LifecycleMessage } from "./aws-events";
import type { SessionRegistry } from "./session-registry";

export class LifecyclePublisher {
  /** Lifecycle events not yet handed over to subscribers and persistent sessions. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Connections are being torn down: nothing more is published. */
  private stopped = false;
  private aedes: Aedes | undefined;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly log: Logger,
    private readonly onEvent?: (message: LifecycleMessage) => void,
  ) {}

  /** The broker to publish through; events published before it exists wait for it. */
  attach(aedes: Aedes): void {
    this.aedes = aedes;
  }

  publish(clientId: string, message: LifecycleMessage): void {
    if (this.stopped || !emitsLifecycleEvents(clientId)) return;
    const done = this.registry.persisted().then(
      () =>
        new Promise<void>((resolve) => {
          this.onEvent?.(message);
          const packet: PublishPacket = {
            cmd: "publish",
            topic: message.topic,
            payload: Buffer.from(JSON.stringify(message.payload)),
            qos: 1,
            retain: false,
            dup: false,
          };
          // The callback comes once the message is queued for every persistent
          // session subscribed to it and handed to the connected subscribers.
          this.aedes!.publish(packet, (error) => {
            if (error)
              this.log.warn("lifecycle event not published", { topic: message.topic, error });
            resolve();
          });
        }),
    );
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
  }

  /** Resolves once every event published so far is handed over. */
  async published(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** From here on nothing is published (the connections are being torn down). */
  stop(): void {
    this.stopped = true;
  }
}
