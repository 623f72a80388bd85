// The request gate: what the app can refuse from a request's headers, it
// refuses before Next.js reads a byte of the body. Next.js copies every
// request body that passes proxy.ts (up to its proxyClientMaxBodySize) and
// waits for the whole body before it sends even the proxy's own refusal, so
// an anonymous 10 MB POST, or an ingest with a wrong token, used to cost
// its full upload and twice its size in memory before its 401. Next.js does
// not hand out its HTTP server, so the gate finds it through Node's
// `http.server.request.start` diagnostics channel (published before the
// server emits the request) and wraps its request listeners once.
//
// It also strips the headers only proxy.ts may set (a client could send
// them on paths the proxy skips, where nothing would overwrite them) and
// puts the security headers on every answer, the proxy's or not.
import "server-only";
import diagnostics from "node:diagnostics_channel";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { PRINCIPAL_HEADER, securityHeaders } from "../auth/access";
import { bearerPrincipal } from "../auth/bearer";
import { CSRF_HEADER, SESSION_COOKIE, sessionPrincipal } from "../auth/sessions";
import { ERROR_STATUS, ServiceError } from "../errors";
import { verifyIngestAuthorization } from "./auth";
import { forwardedEntry, sameOrigin } from "./forwarded";
import { gateDecision, type GateDecision } from "./gate-rules";
import { RAW_PATH_HEADER } from "./raw-path";

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

/** Headers proxy.ts sets for the pages and routes behind it; never the client's. */
const INTERNAL_HEADERS = [PRINCIPAL_HEADER, RAW_PATH_HEADER, "x-nonce"];

/** On the answers of paths proxy.ts does not see; the proxy sets its own, with a nonce. */
const FALLBACK_CSP =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function headerText(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

function stripInternalHeaders(request: IncomingMessage): void {
  for (const name of INTERNAL_HEADERS) delete request.headers[name];
  const raw = request.rawHeaders;
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!INTERNAL_HEADERS.includes(raw[i]!.toLowerCase())) kept.push(raw[i]!, raw[i + 1]!);
  }
  raw.splice(0, raw.length, ...kept);
}

/** Security headers on whatever answers this request; proxy.ts overwrites them with its own. */
/** The Node request's headers as a Request's, for the helpers written for those. */
function headersOf(request: IncomingMessage): Request {
  const headers = { get: (name: string) => headerText(request, name) ?? null };
  return { headers } as unknown as Request;
}

function setSecurityHeaders(request: IncomingMessage, response: ServerResponse): void {
  const https = forwardedEntry(headersOf(request), "x-forwarded-proto") === "https";
  for (const [name, value] of Object.entries(securityHeaders({ https })))
    response.setHeader(name, value);
  response.setHeader("Content-Security-Policy", FALLBACK_CSP);
}

/**
 * The most of an unwanted body the gate reads (and throws away) after its
 * answer, so that a client still uploading sees the answer instead of a
 * reset connection. Discarding costs bandwidth, not memory; past this (or
 * a declared length past it) the connection is closed instead.
 */
const DISCARD_MAX_BYTES = 16 * 1024 * 1024;

/** Answers in the error contract; the body the client may still be sending is not wanted. */
function refuse(
  request: IncomingMessage,
  response: ServerResponse,
  code: keyof typeof ERROR_STATUS,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: { code, message } });
  const declared = Number(headerText(request, "content-length") ?? 0);
  // A client that waits for 100 Continue never sends the body: nothing to read after the answer.
  const waiting = /100-continue/i.test(headerText(request, "expect") ?? "");
  const close = waiting || !(declared <= DISCARD_MAX_BYTES);
  if (close) response.shouldKeepAlive = false;
  response.writeHead(ERROR_STATUS[code], {
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
    ...(close ? { Connection: "close" } : {}),
  });
  response.end(body);
  if (close) return;
  let discarded = 0;
  request.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_MAX_BYTES) request.socket.destroy();
  });
  request.resume();
}

/** Looks the credential up; null when it is good enough to let Next.js read the body. */
async function checkCredential(
  request: IncomingMessage,
  decision: Extract<GateDecision, { kind: "check" }>,
): Promise<{
  code: keyof typeof ERROR_STATUS;
  message: string;
  headers?: Record<string, string>;
} | null> {
  try {
    if (decision.credential === "ingest-token") {
      await verifyIngestAuthorization(headerText(request, "authorization") ?? null);
    } else if (decision.credential === "api-token") {
      // The same check as proxy.ts's, on a body-less copy of the request.
      const principal = await bearerPrincipal(
        new Request(new URL(request.url ?? "/", "http://gate.invalid"), {
          headers: { authorization: headerText(request, "authorization") ?? "" },
        }),
      );
      if (principal === null) return { code: "unauthorized", message: "Log in first." };
      if (principal instanceof ServiceError)
        return { code: principal.code, message: principal.message };
      if (decision.adminOnly && principal.role !== "admin")
        return { code: "forbidden", message: "Only admins may do this." };
    } else {
      const principal = await sessionPrincipal(
        cookieValue(headerText(request, "cookie"), SESSION_COOKIE),
      );
      if (principal === null) return { code: "unauthorized", message: "Log in first." };
      if (decision.adminOnly && principal.role !== "admin")
        return { code: "forbidden", message: "Only admins may do this." };
      if (
        decision.csrf &&
        (!sameOrigin(headersOf(request)) ||
          headerText(request, CSRF_HEADER) !== principal.csrfToken)
      ) {
        return {
          code: "csrf_failed",
          message: "Missing or wrong CSRF token (X-CSRF-Token); reload the page.",
        };
      }
    }
    return decision.tooLarge === null
      ? null
      : { code: "payload_too_large", message: decision.tooLarge };
  } catch (error) {
    if (error instanceof ServiceError) return { code: error.code, message: error.message };
    return {
      code: "database_unavailable",
      message: "The database is unreachable; retry later.",
      headers: { "Retry-After": "5" },
    };
  }
}

/**
 * Runs `next` (Next.js's own listeners) for a request the gate lets
 * through; answers the others itself. Requests without a body pass at once.
 */
function gate(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  stripInternalHeaders(request);
  setSecurityHeaders(request, response);
  let pathname = "/";
  try {
    pathname = new URL(request.url ?? "/", "http://gate.invalid").pathname;
  } catch {
    // Next.js answers what it cannot parse.
  }
  const decision = gateDecision({
    method: request.method ?? "GET",
    pathname,
    contentLength: headerText(request, "content-length"),
    transferEncoding: headerText(request, "transfer-encoding"),
    authorization: headerText(request, "authorization"),
    sessionCookie: cookieValue(headerText(request, "cookie"), SESSION_COOKIE),
    sameOrigin: sameOrigin(headersOf(request)),
  });
  if (decision.kind === "pass") return next();
  if (decision.kind === "refuse")
    return refuse(request, response, decision.code, decision.message, decision.headers);
  void checkCredential(request, decision).then((refusal) => {
    if (refusal === null) next();
    else refuse(request, response, refusal.code, refusal.message, refusal.headers);
  });
}

const gated = new WeakSet<Server>();

/** Puts the gate in front of Next.js's request listeners of `server` (once). */
function wrap(server: Server): void {
  if (gated.has(server)) return;
  gated.add(server);
  const listeners = server.listeners("request") as Listener[];
  server.removeAllListeners("request");
  const passOn = (request: IncomingMessage, response: ServerResponse) => {
    for (const listener of listeners) listener.call(server, request, response);
  };
  server.on("request", (request: IncomingMessage, response: ServerResponse) =>
    gate(request, response, () => passOn(request, response)),
  );
  // A client that asks before sending its body (Expect: 100-continue, as
  // curl does for large ones) is told to go ahead only once the gate agrees.
  server.on("checkContinue", (request: IncomingMessage, response: ServerResponse) =>
    gate(request, response, () => {
      response.writeContinue();
      passOn(request, response);
    }),
  );
}

let installed = false;

/** Installs the gate on every HTTP server of this process, from its first request on. Idempotent. */
export function installRequestGate(): void {
  if (installed) return;
  installed = true;
  diagnostics.subscribe("http.server.request.start", (message) => {
    wrap((message as { server: Server }).server);
  });
}
