// GET /metrics behind the HTTP layer: a bearer token from METRICS_TOKEN
// (comma-separated, for rotation) or an API token of either role, then the
// series in Prometheus text format.
import "server-only";
import { apiTokenPrincipal, API_TOKEN_PREFIX } from "../auth/api-tokens";
import { bearerCredential } from "../auth/bearer";
import { matchesAnyToken } from "../auth/token-hash";
import { ServiceError } from "../errors";
import { appMetrics } from "./registry";

export function metricsTokens(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.METRICS_TOKEN ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/**
 * An API token (any role: metrics are a read), else METRICS_TOKEN compared in
 * constant time over the configured tokens (hashing first gives equal lengths).
 */
export async function requireMetricsToken(request: Request): Promise<void> {
  const credential = bearerCredential(request);
  if (typeof credential === "string" && credential.startsWith(API_TOKEN_PREFIX)) {
    await apiTokenPrincipal(credential);
    return;
  }
  const tokens = metricsTokens();
  if (tokens.length === 0) {
    throw new ServiceError(
      "unauthorized",
      "Scrape with Authorization: Bearer <API token>, or set METRICS_TOKEN and send that.",
    );
  }
  if (typeof credential !== "string" || !matchesAnyToken(credential, tokens)) {
    throw new ServiceError(
      "unauthorized",
      "A valid bearer token is required (Authorization: Bearer <METRICS_TOKEN>).",
    );
  }
}

export async function scrapeMetrics(): Promise<Response> {
  const { registry, configError } = appMetrics();
  if (configError !== null) throw new ServiceError("misconfigured", configError);
  return new Response(await registry.metrics(), {
    headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
  });
}
