// Incident thresholds (docs/incidents.md), read from the environment.
import { z } from "zod";

export interface IncidentConfig {
  /** INCIDENT_WINDOW_SECONDS, in ms: the burst window. */
  windowMs: number;
  /** INCIDENT_MIN_CLIENTS: distinct clients that must drop within one window. */
  minClients: number;
  /** INCIDENT_MIN_SHARE: share of the clients online just before that must drop. */
  minShare: number;
  /** INCIDENT_MAX_OPEN_SECONDS, in ms: an incident closes at the latest this long after it started (once its burst is over). */
  maxOpenMs: number;
}

export const DEFAULT_INCIDENT_CONFIG: IncidentConfig = {
  windowMs: 60_000,
  minClients: 20,
  minShare: 0.05,
  maxOpenMs: 3_600_000,
};

const Env = z.object({
  INCIDENT_WINDOW_SECONDS: z.coerce.number().positive().default(60),
  INCIDENT_MIN_CLIENTS: z.coerce.number().int().positive().default(20),
  INCIDENT_MIN_SHARE: z.coerce.number().min(0).max(1).default(0.05),
  INCIDENT_MAX_OPEN_SECONDS: z.coerce.number().positive().default(3600),
});

export function incidentConfig(env: NodeJS.ProcessEnv = process.env): IncidentConfig {
  const parsed = Env.parse(env);
  return {
    windowMs: parsed.INCIDENT_WINDOW_SECONDS * 1000,
    minClients: parsed.INCIDENT_MIN_CLIENTS,
    minShare: parsed.INCIDENT_MIN_SHARE,
    maxOpenMs: parsed.INCIDENT_MAX_OPEN_SECONDS * 1000,
  };
}
