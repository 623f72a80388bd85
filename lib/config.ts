import { z } from "zod";
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

/** INGEST_TOKEN holds a comma-separated list so tokens can be rotated without downtime. */
export function ingestTokens(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.INGEST_TOKEN ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}
