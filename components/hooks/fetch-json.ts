import { loginHref } from "../auth/safe-next";

/** An API failure with the contract's error code and the HTTP status. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    /** The whole error body, for answers that carry more than the error (e.g. an import's rejected rows). */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** RequestInit plus `json`: a body sent as JSON with its Content-Type. */
export type FetchInit = RequestInit & { json?: unknown };

/** Double-submit CSRF: the server sets this cookie readable on purpose; writes echo it in a header. */
const CSRF_COOKIE = "fleet_csrf";
const CSRF_HEADER = "X-CSRF-Token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function readCookie(name: string): string | undefined {
  if (typeof document === "undefined") return undefined;
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

let redirecting = false;

/**
 * The session ended (expired, revoked, logged out in another tab): back to
 * the login page, which returns here afterwards. Several queries failing at
 * once navigate only once; the login page itself never redirects to itself.
 */
function sendToLogin(): void {
  if (typeof window === "undefined" || redirecting || window.location.pathname === "/login") return;
  redirecting = true;
  window.location.assign(loginHref(`${window.location.pathname}${window.location.search}`));
}

/**
 * The one fetch helper of the UI: a non-OK response becomes an ApiError, a
 * 401 sends the browser to the login page, and every write carries the
 * CSRF header. A 204 resolves to undefined.
 */
export async function fetchJson<T>(url: string, init: FetchInit = {}): Promise<T> {
  const { json, ...rest } = init;
  const method = (rest.method ?? "GET").toUpperCase();
  const headers = new Headers(rest.headers);
  if (!headers.has("Accept")) headers.set("Accept", "application/json");
  if (json !== undefined) headers.set("Content-Type", "application/json");
  if (!SAFE_METHODS.has(method)) {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf !== undefined && csrf !== "") headers.set(CSRF_HEADER, csrf);
  }
  const response = await fetch(url, {
    ...rest,
    method,
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  if (!response.ok) {
    let code = "http_error";
    let message = `${response.status} ${response.statusText}`;
    let body: { error?: { code?: string; message?: string } } | undefined;
    try {
      body = (await response.json()) as { error?: { code?: string; message?: string } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch {
      // Not JSON: keep the status line.
    }
    if (response.status === 401) sendToLogin();
    throw new ApiError(message, code, response.status, body);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
