// The MQTT → ingest bridge: subscribes to lifecycle events, makes each one
// durable in a local spool before acknowledging it to the broker, and
// forwards the spool to POST /api/ingest in batches (docs/bridge.md).
import { customAuthorizerCredentials, defaultCredentialSource, SignedUrlSource } from "./aws-auth";
import { BATCH_DEFAULTS, subscriptionFilters, type BridgeOptions } from "./config";
import { EmqxMapper } from "./emqx";
import { Forwarder } from "./forwarder";
import { createIngestClient } from "./ingest-client";
import { createLogger } from "../log/logger";
import { createBridgeMetrics, serveMetrics } from "./metrics";
import { startMqttSource, type MqttSource } from "./mqtt-source";
import { Spool } from "./spool";

export {
  BATCH_DEFAULTS,
  bridgeConfigFromEnv,
  BridgeConfigError,
  subscriptionFilters,
  type BridgeOptions,
} from "./config";

export interface BridgeStats {
  received: number;
  forwarded: number;
  spooled: number;
  lagMs: number;
  connected: boolean;
}

export interface Bridge {
  /** Graceful stop: disconnects from the broker, forwards what is spooled (up to shutdownTimeoutMs), closes. */
  close(): Promise<void>;
  /** Settles with the error if the bridge stops on its own (e.g. ingest answers 401). */
  readonly fatal: Promise<Error>;
  readonly metricsPort: number | null;
  stats(): Promise<BridgeStats>;
}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const log =
    opts.logger ??
    createLogger({ level: opts.logLevel ?? "info", fields: { component: "bridge" } });
  const spool = new Spool({
    dir: opts.spoolDir,
    maxBytes: opts.spoolMaxBytes,
    segmentBytes: opts.spoolSegmentBytes,
    fsync: opts.spoolFsync,
  });
  const client = createIngestClient({
    url: opts.ingestUrl,
    token: opts.ingestToken,
    timeoutMs: opts.requestTimeoutMs,
  });
  let source: MqttSource | null = null;
  let forwarder: Forwarder | null = null;
  let received = 0;
  const metrics = createBridgeMetrics({
    spooledEvents: () => spool.pending,
    spoolBytes: () => spool.bytes,
    lagSeconds: () => (forwarder?.lagMs() ?? 0) / 1000,
    mqttConnected: () => source?.connected ?? false,
  });

  let settleFatal: (error: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => (settleFatal = resolve));
  let stoppedByFatal = false;
  const onFatal = (error: Error) => {
    if (stoppedByFatal) return;
    stoppedByFatal = true;
    log.error("bridge stopped", { error: error.message });
    // Stop taking events: the broker keeps them in our persistent session.
    void source?.close();
    settleFatal(error);
    opts.onFatal?.(error);
  };

  forwarder = new Forwarder({
    spool,
    client,
    metrics,
    log,
    maxEvents: opts.batchMaxEvents ?? BATCH_DEFAULTS.maxEvents,
    maxWaitMs: opts.batchMaxWaitMs ?? 200,
    lingerMs: opts.batchLingerMs ?? 20,
    maxBytes: opts.batchMaxBytes ?? BATCH_DEFAULTS.maxBytes,
    maxInFlight: opts.maxInFlight ?? BATCH_DEFAULTS.maxInFlight,
    retryBaseMs: opts.retryBaseMs ?? 250,
    retryMaxMs: opts.retryMaxMs ?? 30_000,
    onFatal,
  });
  const fwd = forwarder;

  const cleanup = () => {
    fwd.stop();
    spool.close();
    client.close();
  };

  // Fail fast on a wrong token or URL instead of after the first event.
  const preflight = await client.post("[]");
  if (preflight.kind === "fatal" || preflight.kind === "split") {
    cleanup();
    throw new Error(
      `ingest refused the bridge at start: ${preflight.reason}. Check INGEST_URL and INGEST_TOKEN.`,
    );
  }
  if (preflight.kind === "retry")
    log.warn("ingest not reachable yet; events will wait in the spool", {
      reason: preflight.reason,
    });

  let urlSource: SignedUrlSource | null = null;
  let username = opts.username;
  let password = opts.password;
  const auth = opts.auth ?? { kind: "none" };
  if (auth.kind === "sigv4") {
    urlSource = new SignedUrlSource(opts.mqttUrl, auth.region, defaultCredentialSource());
    await urlSource.start().catch((error: Error) => {
      cleanup();
      throw new Error(`could not sign the AWS IoT URL: ${error.message}`);
    });
  } else if (auth.kind === "custom-authorizer") {
    ({ username, password } = customAuthorizerCredentials(auth));
  }

  const emqx = opts.emqx ? new EmqxMapper() : null;
  let holding = false;
  // Called once per event-loop turn by the MQTT side, before it lets that turn's PUBACKs go.
  const flush = () => {
    const written = spool.flush();
    if (written === 0) return;
    received += written;
    metrics.received.inc(written);
    fwd.notify();
  };
  const append = (envelope: string) => spool.enqueue(Date.now(), envelope);
  const onMessage = (topic: string, payload: Buffer): void | Promise<void> => {
    let envelope: string;
    if (topic.startsWith("$aws/events/")) {
      // What JSON.stringify({ topic, payload }) gives, without the object.
      envelope = `{"topic":${JSON.stringify(topic)},"payload":${JSON.stringify(payload.toString("utf8"))}}`;
    } else {
      const mapped = emqx?.map(topic, payload.toString("utf8"));
      if (!mapped) {
        metrics.ignored.inc();
        return;
      }
      envelope = JSON.stringify(mapped);
    }
    if (spool.hasRoom(envelope.length + 16)) return append(envelope);
    // Spool full: hold this PUBACK (and so the stream) until ingest frees space.
    if (!holding)
      log.warn("spool full; holding acknowledgements until ingest catches up", {
        bytes: spool.bytes,
      });
    holding = true;
    const waitForRoom = async (): Promise<void> => {
      while (!spool.hasRoom(envelope.length + 16)) await spool.waitForRoom();
      holding = false;
      append(envelope);
    };
    return waitForRoom();
  };

  const topics = subscriptionFilters(opts);
  source = startMqttSource({
    url: opts.mqttUrl,
    clientId: opts.clientId ?? "fleet-presence-bridge",
    protocolVersion: opts.protocolVersion ?? "auto",
    topics,
    sessionExpirySeconds: opts.sessionExpirySeconds ?? 7 * 24 * 3600,
    keepaliveSeconds: opts.keepaliveSeconds ?? 30,
    username,
    password,
    caFile: opts.caFile,
    certFile: opts.certFile,
    keyFile: opts.keyFile,
    rejectUnauthorized: opts.rejectUnauthorized,
    transformWsUrl: urlSource ? () => urlSource.current : undefined,
    beforeReconnect: urlSource ? () => urlSource.refresh().then(() => undefined) : undefined,
    log,
    onMessage,
    flush,
    onReconnect: () => metrics.reconnects.inc(),
    onFatal,
  });
  const src = source;

  // A taken metrics port must not stop delivery: log it and run without metrics.
  const metricsServer =
    opts.metricsPort === undefined
      ? null
      : await serveMetrics(metrics.registry, {
          port: opts.metricsPort,
          host: opts.metricsHost ?? "127.0.0.1",
          healthy: () => !stoppedByFatal && src.connected,
        }).catch((error: NodeJS.ErrnoException) => {
          // Typically a second bridge (or an earlier demo) on the same machine: a hint, not a failure.
          log.warn(
            error.code === "EADDRINUSE"
              ? `metrics port ${opts.metricsPort} is taken: running without metrics (set BRIDGE_METRICS_PORT to another port, or "off")`
              : `metrics endpoint not available: ${error.message} (BRIDGE_METRICS_PORT)`,
            { port: opts.metricsPort },
          );
          return null;
        });

  const readyTimeoutMs = opts.readyTimeoutMs ?? 15_000;
  const ready = await Promise.race([
    src.subscribed.then(() => true),
    fatal.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), readyTimeoutMs).unref()),
  ]);
  if (!ready && !stoppedByFatal)
    log.warn("not subscribed yet; still trying in the background", { url: opts.mqttUrl });
  log.info("bridge started", {
    mqttUrl: opts.mqttUrl.split("?")[0],
    ingestUrl: opts.ingestUrl,
    topics,
    spoolDir: spool.dir,
    pendingInSpool: spool.pending,
    metricsPort: metricsServer?.port ?? null,
  });
  if (spool.pending > 0) fwd.notify();

  let closed: Promise<void> | null = null;
  return {
    fatal,
    metricsPort: metricsServer?.port ?? null,
    stats: async () => ({
      received,
      forwarded: (await metrics.forwarded.get()).values[0]?.value ?? 0,
      spooled: spool.pending,
      lagMs: fwd.lagMs(),
      connected: src.connected,
    }),
    close: () => {
      closed ??= (async () => {
        await src.close();
        const drained = stoppedByFatal ? false : await fwd.flush(opts.shutdownTimeoutMs ?? 10_000);
        log.info("bridge stopping", { drained, leftInSpool: spool.pending });
        urlSource?.stop();
        cleanup();
        await metricsServer?.close();
      })();
      return closed;
    },
  };
}
