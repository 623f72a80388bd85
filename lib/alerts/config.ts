// Alert settings from the environment (README, "Alerts").
import { z } from "zod";

const flag = z
  .string()
  .optional()
  .transform((v) => v === "1" || v === "true");

const Env = z.object({
  ALERTS_EVAL_INTERVAL_SECONDS: z.coerce.number().positive().default(5),
  ALERTS_SEND_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
  ALERTS_MAX_RETRY_HOURS: z.coerce.number().positive().default(24),
  ALERTS_ALLOW_PRIVATE_TARGETS: flag,
  ALERTS_PUBLIC_URL: z.string().optional(),
  ALERTS_PAGERDUTY_URL: z.string().default("https://events.pagerduty.com/v2/enqueue"),
  SMTP_URL: z.string().optional(),
  ALERT_EMAIL_FROM: z.string().default("fleet-presence@localhost"),
  PORT: z.string().optional(),
});

export interface AlertsConfig {
  evalIntervalMs: number;
  sendTimeoutMs: number;
  maxRetryMs: number;
  allowPrivateTargets: boolean;
  /** Base of the links in notifications (the dashboard as operators reach it). */
  publicUrl: string;
  pagerDutyUrl: string;
  smtpUrl: string | null;
  emailFrom: string;
}

export function alertsConfig(env: NodeJS.ProcessEnv = process.env): AlertsConfig {
  const e = Env.parse(env);
  return {
    evalIntervalMs: e.ALERTS_EVAL_INTERVAL_SECONDS * 1000,
    sendTimeoutMs: e.ALERTS_SEND_TIMEOUT_SECONDS * 1000,
    maxRetryMs: e.ALERTS_MAX_RETRY_HOURS * 3_600_000,
    allowPrivateTargets: e.ALERTS_ALLOW_PRIVATE_TARGETS,
    publicUrl: (e.ALERTS_PUBLIC_URL ?? `http://127.0.0.1:${e.PORT ?? "3000"}`).replace(/\/+$/, ""),
    pagerDutyUrl: e.ALERTS_PAGERDUTY_URL,
    smtpUrl: e.SMTP_URL ?? null,
    emailFrom: e.ALERT_EMAIL_FROM,
  };
}
