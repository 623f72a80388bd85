// The MQTT → ingest bridge: subscribes to lifecycle events, makes each one
// durable in a local spool before acknowledging it to the broker, and
// forwards the spool to POST /api/ingest in batches (docs/bridge.md).
import { customAuthorizerCredentials, defaultCredentialSource, SignedUrlSource } from "./aws-auth";
import { BATCH_DEFAULTS, subscriptionFilters, type BridgeOptions } from "./config";
import { Forwarder } from "./forwarder";
import { createIngestClient, type IngestClient } from "./ingest-client";
import { createIntake } from "./intake";
import { createLogger, type Logger } from "../log/logger";
import { createBridgeMetrics, serveMetrics, type BridgeMetrics } from "./metrics";
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

/** Fail fast on a wrong token or URL instead of after the first event. */
async function checkIngest(client: IngestClient, log: Logger): Promise<void> {
  const preflight = await client.post("[]");
  if (preflight.kind === "fatal" || preflight.kind === "split")
    throw new Error(
      `ingest refused the bridge at start: ${preflight.reason}. Check INGEST_URL and INGEST_TOKEN.`,
    );
  if (preflight.kind === "retry")
    log.warn("ingest not reachable yet; events will wait in the spool", {
      reason: preflight.reason,
    });
}

interface MqttCredentials {
  username?: string;
  password?: string;
  /** SigV4: the signed WebSocket URL, re-signed before each reconnection. */
  urlSource: SignedUrlSource | null;
}

async function mqttCredentials(opts: BridgeOptions): Promise<MqttCredentials> {
  const auth = opts.auth ?? { kind: "none" };
  if (auth.kind === "custom-authorizer")
    return { ...customAuthorizerCredentials(auth), urlSource: null };
  if (auth.kind !== "sigv4")
    return { username: opts.username, password: opts.password, urlSource: null };
  const urlSource = new SignedUrlSource(opts.mqttUrl, auth.region, defaultCredentialSource());
  await urlSource.start().catch((error: Error) => {
    throw new Error(`could not sign the AWS IoT URL: ${error.message}`);
  });
  return { username: opts.username, password: opts.password, urlSource };
}

/** A taken metrics port must not stop delivery: log it and run without metrics. */
function startMetricsServer(
  opts: BridgeOptions,
  metrics: BridgeMetrics,
  healthy: () => boolean,
  log: Logger,
): Promise<Awaited<ReturnType<typeof serveMetrics>> | null> {
  if (opts.metricsPort === undefined) return Promise.resolve(null);
  return serveMetrics(metrics.registry, {
    port: opts.metricsPort,
    host: opts.metricsHost ?? "127.0.0.1",
    healthy,
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
}

/** True once subscribed; false if the bridge stopped or the wait timed out first. */
function subscribedWithin(source: MqttSource, fatal: Promise<Error>, ms: number) {
  return Promise.race([
    source.subscribed.then(() => true),
    fatal.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref()),
  ]);
}

/** The bridge's one way to stop on its own: settles `fatal` once and stops taking events. */
function fatalLatch(log: Logger, stopTaking: () => void, notify?: (error: Error) => void) {
  let settle: (error: Error) => void = () => undefined;
  const latch = {
    fatal: new Promise<Error>((resolve) => (settle = resolve)),
    stopped: false,
    stop(error: Error) {
      if (latch.stopped) return;
      latch.stopped = true;
      log.error("bridge stopped", { error: error.message });
      // Stop taking events: the broker keeps them in our persistent session.
      stopTaking();
      settle(error);
      notify?.(error);
    },
  };
  return latch;
}

function mqttSourceOptions(opts: BridgeOptions, credentials: MqttCredentials) {
  const { username, password, urlSource } = credentials;
  return {
    url: opts.mqttUrl,
    clientId: opts.clientId ?? "fleet-presence-bridge",
    protocolVersion: opts.protocolVersion ?? "auto",
    topics: subscriptionFilters(opts),
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
  } as const;
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
  const metrics = createBridgeMetrics({
    spooledEvents: () => spool.pending,
    spoolBytes: () => spool.bytes,
    lagSeconds: () => (forwarder?.lagMs() ?? 0) / 1000,
    mqttConnected: () => source?.connected ?? false,
  });
  const latch = fatalLatch(log, () => void source?.close(), opts.onFatal);
  const { fatal } = latch;

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
    onFatal: (error) => latch.stop(error),
  });
  const fwd = forwarder;

  const cleanup = () => {
    fwd.stop();
    spool.close();
    client.close();
  };

  let credentials: MqttCredentials;
  try {
    await checkIngest(client, log);
    credentials = await mqttCredentials(opts);
  } catch (error) {
    cleanup();
    throw error;
  }
  const { urlSource } = credentials;

  const intake = createIntake({
    spool,
    metrics,
    log,
    topicPrefix: opts.topicPrefix,
    emqx: opts.emqx,
    onSpooled: () => fwd.notify(),
  });
  const sourceOptions = mqttSourceOptions(opts, credentials);
  source = startMqttSource({
    ...sourceOptions,
    log,
    onMessage: intake.onMessage,
    flush: intake.flush,
    onReconnect: () => metrics.reconnects.inc(),
    onFatal: (error) => latch.stop(error),
  });
  const src = source;

  const metricsServer = await startMetricsServer(
    opts,
    metrics,
    () => !latch.stopped && src.connected,
    log,
  );

  const ready = await subscribedWithin(src, fatal, opts.readyTimeoutMs ?? 15_000);
  if (!ready && !latch.stopped)
    log.warn("not subscribed yet; still trying in the background", { url: opts.mqttUrl });
  log.info("bridge started", {
    mqttUrl: opts.mqttUrl.split("?")[0],
    ingestUrl: opts.ingestUrl,
    topics: sourceOptions.topics,
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
      received: intake.received,
      forwarded: (await metrics.forwarded.get()).values[0]?.value ?? 0,
      spooled: spool.pending,
      lagMs: fwd.lagMs(),
      connected: src.connected,
    }),
    close: () => {
      closed ??= (async () => {
        await src.close();
        const drained = latch.stopped ? false : await fwd.flush(opts.shutdownTimeoutMs ?? 10_000);
        log.info("bridge stopping", { drained, leftInSpool: spool.pending });
        urlSource?.stop();
        cleanup();
        await metricsServer?.close();
      })();
      return closed;
    },
  };
}
