import { z } from "zod";
import { describeIssues } from "./errors";
import type { PresenceConfig } from "./presence/types";

const seconds = (fallback: number) => z.coerce.number().positive().default(fallback);

const EnvSchema = z.object({
  OFFLINE_GRACE_SECONDS: seconds(30),
  FLAP_THRESHOLD: z.coerce.number().int().positive().default(5),
  FLAP_WINDOW_SECONDS: seconds(600),
  VERSION_RESET_WINDOW_SECONDS: seconds(600),
  INGEST_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  LABELS_IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  // 0: no limit. At most setTimeout's range (about 24.8 days).
  QUERY_TIMEOUT_MS: z.coerce.number().int().min(0).max(2_147_483_647).default(30_000),
});

/** Reads the presence settings from the environment (docs/model.md, "Configuration"). */
export function presenceConfig(env: NodeJS.ProcessEnv = process.env): PresenceConfig {
  const parsed = EnvSchema.parse(env);
  return {
    offlineGraceMs: parsed.OFFLINE_GRACE_SECONDS * 1000,
    flapThreshold: parsed.FLAP_THRESHOLD,
    flapWindowMs: parsed.FLAP_WINDOW_SECONDS * 1000,
    versionResetWindowMs: parsed.VERSION_RESET_WINDOW_SECONDS * 1000,
  };
}

export function ingestMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  return EnvSchema.parse(env).INGEST_MAX_BYTES;
}

/** The largest label import body (CSV or JSON) read; past it the answer is 413. */
export function labelsImportMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  return EnvSchema.parse(env).LABELS_IMPORT_MAX_BYTES;
}

/**
 * QUERY_TIMEOUT_MS: how long the database reads of one API GET request may
 * run before they are cancelled in PostgreSQL and the request answers 503
 * `query_timeout` (lib/db/request-reads.ts); 0 turns the limit off.
 */
export function queryTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return EnvSchema.parse(env).QUERY_TIMEOUT_MS;
}

/** INGEST_TOKEN holds a comma-separated list so tokens can be rotated without downtime. */
export function ingestTokens(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.INGEST_TOKEN ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

const LABEL_KEY = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

/** METRICS_LABEL_KEYS: comma-separated client label keys; a key that is not one is a startup-time error. */
export function metricsLabelKeys(env: NodeJS.ProcessEnv = process.env): string[] {
  const keys = (env.METRICS_LABEL_KEYS ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k !== "");
  const bad = keys.find((k) => !LABEL_KEY.test(k));
  if (bad !== undefined) {
    throw new ConfigError(
      `METRICS_LABEL_KEYS: '${bad}' is not a label key (a lowercase letter or digit, then up to 62 of a-z 0-9 _ . -; keys separated by commas).`,
    );
  }
  return [...new Set(keys)];
}

/** A setting in the environment the app cannot run with; the message names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Every setting read on requests, checked once when the server starts
 * (instrumentation.ts), so that a bad value stops the start with a message
 * naming it instead of failing requests later. Throws a ConfigError listing
 * every bad variable.
 */
export function checkConfig(env: NodeJS.ProcessEnv = process.env): void {
  const problems: string[] = [];
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) problems.push(describeIssues(parsed.error, { fields: "always" }));
  try {
    metricsLabelKeys(env);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
}
