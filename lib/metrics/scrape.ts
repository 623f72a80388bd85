// GET /metrics behind the HTTP layer: a bearer token from METRICS_TOKEN
// (comma-separated, for rotation), then the series in Prometheus text format.
import { createHash, timingSafeEqual } from "node:crypto";
import { ServiceError } from "../errors";
import { appMetrics } from "./registry";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function metricsTokens(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.METRICS_TOKEN ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** Constant-time over the configured tokens (hashing first gives equal lengths). */
export function requireMetricsToken(request: Request): void {
  const tokens = metricsTokens();
  if (tokens.length === 0) {
    throw new ServiceError(
      "unauthorized",
      "Metrics are off: set METRICS_TOKEN and scrape with Authorization: Bearer <METRICS_TOKEN>.",
    );
  }
  const match = /^Bearer\s+(.+)$/i.exec((request.headers.get("authorization") ?? "").trim());
  let ok = false;
  if (match?.[1] !== undefined) {
    const presented = digest(match[1]);
    for (const token of tokens) ok = timingSafeEqual(presented, digest(token)) || ok;
  }
  if (!ok) {
    throw new ServiceError(
      "unauthorized",
      "A valid bearer token is required (Authorization: Bearer <METRICS_TOKEN>).",
    );
  }
}

export async function scrapeMetrics(): Promise<Response> {
  const { registry } = appMetrics();
  return new Response(await registry.metrics(), {
    headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
  });
}
