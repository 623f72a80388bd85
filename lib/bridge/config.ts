// Bridge settings: the options of startBridge() and how the environment maps
// onto them (docs/bridge.md lists every variable).
import { hostname } from "node:os";
import { z } from "zod";
import { LIFECYCLE_TOPIC_FILTERS } from "../broker/aws-events";
import { describeIssues } from "../errors";
import type { CustomAuthorizer } from "./aws-auth";
import type { Logger, LogLevel } from "../log/logger";
import type { MqttLogin } from "./mqtt-source";
import type { FsyncMode } from "./spool";
import { prefixFilter, topicPrefixProblem } from "./topic-prefix";

export const EMQX_TOPIC_FILTERS = [
  "$SYS/brokers/+/clients/+/connected",
  "$SYS/brokers/+/clients/+/disconnected",
];

export type MqttAuth =
  | { kind: "none" }
  | { kind: "sigv4"; region: string }
  | ({ kind: "custom-authorizer" } & CustomAuthorizer);

export interface BridgeOptions extends MqttLogin {
  mqttUrl: string;
  ingestUrl: string;
  ingestToken: string;
  spoolDir: string;
  /** Serves /metrics and /healthz; 0 picks a free port; unset serves nothing. */
  metricsPort?: number;
  metricsHost?: string;
  clientId?: string;
  protocolVersion?: 4 | 5 | "auto";
  /** Topic filters; default the five AWS lifecycle filters (plus EMQX's when `emqx`). */
  topics?: string[];
  /** Subscribe as `$share/<group>/<filter>` so several bridges split the stream. */
  shareGroup?: string;
  /**
   * Lifecycle events arrive republished under this plain prefix (e.g.
   * `fleet/lifecycle`): subscribe to `<prefix>/#` instead of `$aws/events/...`
   * and rebuild the canonical topic (topic-prefix.ts).
   */
  topicPrefix?: string;
  /** Also subscribe to EMQX's `$SYS/.../connected|disconnected` and map them. */
  emqx?: boolean;
  sessionExpirySeconds?: number;
  keepaliveSeconds?: number;
  auth?: MqttAuth;
  batchMaxEvents?: number;
  batchMaxWaitMs?: number;
  batchLingerMs?: number;
  batchMaxBytes?: number;
  maxInFlight?: number;
  spoolMaxBytes?: number;
  spoolSegmentBytes?: number;
  spoolFsync?: FsyncMode;
  retryBaseMs?: number;
  retryMaxMs?: number;
  requestTimeoutMs?: number;
  /** How long close() keeps forwarding the spool before leaving the rest for next time. */
  shutdownTimeoutMs?: number;
  /** How long startBridge() waits for the first subscription before returning anyway. */
  readyTimeoutMs?: number;
  logger?: Logger;
  logLevel?: LogLevel;
  /** Called once when the bridge stops on its own (ingest refuses the token, broker refuses every filter). */
  onFatal?: (error: Error) => void;
}

const int = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));
const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v) =>
      v === undefined || v === "" ? fallback : ["1", "true", "yes", "on"].includes(v.toLowerCase()),
    );

/**
 * A batch goes out at this many events or bytes (or earlier: see linger and
 * max wait). Under load batches fill up, so these set how often the ingest
 * route pays its fixed costs per request: about 2 ms of the app's CPU
 * (routing, middleware, web streams) and a transaction's fixed statements.
 * In the bridge benchmark 1,000 instead of 500 cut the route's CPU per event
 * and raised the path's rate (docs/performance-log.md). 2,000 gained a little
 * more but holds twice the PostgreSQL advisory locks per transaction (one
 * per client), and the shared lock table (max_locks_per_transaction × max
 * connections) must hold those of every bridge's in-flight batches at once.
 * 1,000 events of a few hundred bytes stay well under maxBytes.
 */
export const BATCH_DEFAULTS = { maxEvents: 1000, maxBytes: 512 * 1024, maxInFlight: 2 } as const;

const Env = z.object({
  MQTT_URL: optional,
  INGEST_URL: z.string().url().optional(),
  INGEST_TOKEN: optional,
  BRIDGE_SPOOL_DIR: optional,
  BRIDGE_METRICS_PORT: optional,
  BRIDGE_METRICS_HOST: z.string().default("127.0.0.1"),
  BRIDGE_CLIENT_ID: optional,
  BRIDGE_MQTT_VERSION: z.enum(["auto", "4", "5", "3.1.1"]).default("auto"),
  BRIDGE_TOPICS: optional,
  BRIDGE_SHARE_GROUP: optional,
  BRIDGE_TOPIC_PREFIX: optional,
  BRIDGE_EMQX: bool(false),
  BRIDGE_SESSION_EXPIRY_SECONDS: int(7 * 24 * 3600),
  BRIDGE_KEEPALIVE_SECONDS: int(30),
  BRIDGE_MQTT_USERNAME: optional,
  BRIDGE_MQTT_PASSWORD: optional,
  BRIDGE_MQTT_CA_FILE: optional,
  BRIDGE_MQTT_CERT_FILE: optional,
  BRIDGE_MQTT_KEY_FILE: optional,
  BRIDGE_MQTT_REJECT_UNAUTHORIZED: bool(true),
  BRIDGE_MQTT_AUTH: z.enum(["auto", "none", "sigv4", "custom-authorizer"]).default("auto"),
  BRIDGE_AWS_REGION: optional,
  AWS_REGION: optional,
  BRIDGE_AWS_AUTHORIZER_NAME: optional,
  BRIDGE_AWS_AUTHORIZER_TOKEN_KEY: optional,
  BRIDGE_AWS_AUTHORIZER_TOKEN: optional,
  BRIDGE_AWS_AUTHORIZER_SIGNATURE: optional,
  BRIDGE_BATCH_MAX_EVENTS: int(BATCH_DEFAULTS.maxEvents),
  BRIDGE_BATCH_MAX_WAIT_MS: int(200),
  BRIDGE_BATCH_LINGER_MS: int(20),
  BRIDGE_BATCH_MAX_BYTES: int(BATCH_DEFAULTS.maxBytes),
  BRIDGE_MAX_IN_FLIGHT: int(BATCH_DEFAULTS.maxInFlight),
  BRIDGE_SPOOL_MAX_BYTES: int(1024 * 1024 * 1024),
  BRIDGE_SPOOL_SEGMENT_BYTES: int(16 * 1024 * 1024),
  BRIDGE_SPOOL_FSYNC: z.enum(["always", "interval", "off"]).default("interval"),
  BRIDGE_RETRY_BASE_MS: int(250),
  BRIDGE_RETRY_MAX_MS: int(30_000),
  BRIDGE_REQUEST_TIMEOUT_MS: int(30_000),
  BRIDGE_SHUTDOWN_TIMEOUT_MS: int(10_000),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

export class BridgeConfigError extends Error {}

/**
 * Reads MQTT_URL, INGEST_URL, INGEST_TOKEN (a comma-separated list: the bridge
 * sends the first) and the BRIDGE_* variables. `defaults` fills what the
 * environment leaves unset, e.g. the embedded broker's URL for `npm start`.
 */
export function bridgeConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
  defaults: Partial<BridgeOptions> = {},
): BridgeOptions {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new BridgeConfigError(describeIssues(parsed.error, { fields: "always" }));
  }
  const e = parsed.data;
  const mqttUrl = e.MQTT_URL ?? defaults.mqttUrl;
  if (!mqttUrl)
    throw new BridgeConfigError(
      "MQTT_URL is not set: the bridge needs a broker (ws://, wss://, mqtt:// or mqtts://)",
    );
  const url = new URL(mqttUrl);
  const region =
    e.BRIDGE_AWS_REGION ??
    e.AWS_REGION ??
    /\.iot\.([a-z0-9-]+)\.amazonaws\.com/.exec(url.hostname)?.[1];
  let authKind = e.BRIDGE_MQTT_AUTH;
  if (authKind === "auto") {
    if (e.BRIDGE_AWS_AUTHORIZER_NAME) authKind = "custom-authorizer";
    else if (url.protocol === "wss:" && url.hostname.endsWith(".amazonaws.com")) authKind = "sigv4";
    else authKind = "none";
  }
  let auth: MqttAuth = { kind: "none" };
  if (authKind === "sigv4") {
    if (!region)
      throw new BridgeConfigError("SigV4 needs a region: set BRIDGE_AWS_REGION or AWS_REGION");
    auth = { kind: "sigv4", region };
  } else if (authKind === "custom-authorizer") {
    if (!e.BRIDGE_AWS_AUTHORIZER_NAME)
      throw new BridgeConfigError("BRIDGE_AWS_AUTHORIZER_NAME is required for a custom authorizer");
    auth = {
      kind: "custom-authorizer",
      name: e.BRIDGE_AWS_AUTHORIZER_NAME,
      tokenKeyName: e.BRIDGE_AWS_AUTHORIZER_TOKEN_KEY,
      token: e.BRIDGE_AWS_AUTHORIZER_TOKEN,
      signature: e.BRIDGE_AWS_AUTHORIZER_SIGNATURE,
      username: e.BRIDGE_MQTT_USERNAME,
      password: e.BRIDGE_MQTT_PASSWORD,
    };
  }
  const topicPrefix = e.BRIDGE_TOPIC_PREFIX ?? defaults.topicPrefix;
  const prefixProblem = topicPrefix === undefined ? null : topicPrefixProblem(topicPrefix);
  if (prefixProblem !== null) throw new BridgeConfigError(`BRIDGE_TOPIC_PREFIX ${prefixProblem}`);
  const metricsPort =
    e.BRIDGE_METRICS_PORT === "off"
      ? undefined
      : Number(e.BRIDGE_METRICS_PORT ?? defaults.metricsPort ?? 9464);
  const version = e.BRIDGE_MQTT_VERSION;
  return {
    ...defaults,
    mqttUrl,
    ingestUrl: e.INGEST_URL ?? defaults.ingestUrl ?? "http://127.0.0.1:3000/api/ingest",
    // The app accepts a list so tokens can rotate; the bridge presents the first.
    ingestToken:
      e.INGEST_TOKEN?.split(",")
        .map((t) => t.trim())
        .find((t) => t.length > 0) ??
      defaults.ingestToken ??
      "",
    spoolDir: e.BRIDGE_SPOOL_DIR ?? defaults.spoolDir ?? ".data/bridge-spool",
    metricsPort:
      metricsPort !== undefined && Number.isFinite(metricsPort) ? metricsPort : undefined,
    metricsHost: e.BRIDGE_METRICS_HOST,
    clientId: e.BRIDGE_CLIENT_ID ?? defaults.clientId ?? `fleet-presence-bridge-${hostname()}`,
    protocolVersion: version === "auto" ? "auto" : version === "5" ? 5 : 4,
    topics:
      e.BRIDGE_TOPICS?.split(",")
        .map((t) => t.trim())
        .filter(Boolean) ?? defaults.topics,
    shareGroup: e.BRIDGE_SHARE_GROUP ?? defaults.shareGroup,
    topicPrefix,
    emqx: e.BRIDGE_EMQX,
    sessionExpirySeconds: e.BRIDGE_SESSION_EXPIRY_SECONDS,
    keepaliveSeconds: e.BRIDGE_KEEPALIVE_SECONDS,
    username: e.BRIDGE_MQTT_USERNAME,
    password: e.BRIDGE_MQTT_PASSWORD,
    caFile: e.BRIDGE_MQTT_CA_FILE,
    certFile: e.BRIDGE_MQTT_CERT_FILE,
    keyFile: e.BRIDGE_MQTT_KEY_FILE,
    rejectUnauthorized: e.BRIDGE_MQTT_REJECT_UNAUTHORIZED,
    auth,
    batchMaxEvents: e.BRIDGE_BATCH_MAX_EVENTS,
    batchMaxWaitMs: e.BRIDGE_BATCH_MAX_WAIT_MS,
    batchLingerMs: e.BRIDGE_BATCH_LINGER_MS,
    batchMaxBytes: e.BRIDGE_BATCH_MAX_BYTES,
    maxInFlight: e.BRIDGE_MAX_IN_FLIGHT,
    spoolMaxBytes: e.BRIDGE_SPOOL_MAX_BYTES,
    spoolSegmentBytes: e.BRIDGE_SPOOL_SEGMENT_BYTES,
    spoolFsync: e.BRIDGE_SPOOL_FSYNC,
    retryBaseMs: e.BRIDGE_RETRY_BASE_MS,
    retryMaxMs: e.BRIDGE_RETRY_MAX_MS,
    requestTimeoutMs: e.BRIDGE_REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: e.BRIDGE_SHUTDOWN_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
  };
}

/** The filters to subscribe to, with the shared-subscription prefix if any. */
export function subscriptionFilters(
  o: Pick<BridgeOptions, "topics" | "shareGroup" | "emqx" | "topicPrefix">,
): string[] {
  const lifecycle = o.topicPrefix ? [prefixFilter(o.topicPrefix)] : LIFECYCLE_TOPIC_FILTERS;
  const base = o.topics ?? [...lifecycle, ...(o.emqx ? EMQX_TOPIC_FILTERS : [])];
  return o.shareGroup ? base.map((t) => `$share/${o.shareGroup}/${t}`) : base;
}
