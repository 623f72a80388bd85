// POST /api/ingest over a keep-alive connection, with every answer sorted
// into what the forwarder should do next (docs/api.md).
import http from "node:http";
import https from "node:https";

export interface IngestCounts {
  accepted: number;
  duplicates: number;
  rejected: { index: number; error: string }[];
}

export type IngestOutcome =
  | { kind: "ok"; status: number; counts: IngestCounts }
  /** Worth trying again later: the network, a timeout, 5xx/503, 429. */
  | { kind: "retry"; status: number | null; reason: string; retryAfterMs: number | null }
  /** Something in this batch is unacceptable (400/413/422): split it to find out what. */
  | { kind: "split"; status: number; reason: string }
  /** Retrying cannot help (wrong token, wrong URL): stop loudly. */
  | { kind: "fatal"; status: number; reason: string };

export interface IngestClient {
  /** Posts a JSON body (text or its UTF-8 bytes). */
  post(body: string | Buffer): Promise<IngestOutcome>;
  close(): void;
}

function retryAfterMs(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (parsed.error) return `${parsed.error.code ?? "error"}: ${parsed.error.message ?? ""}`;
  } catch {
    // Not the JSON error contract; show the start of the text.
  }
  return text.slice(0, 200);
}

export function classify(status: number, text: string, retryAfter: number | null): IngestOutcome {
  if (status >= 200 && status < 300) {
    let counts: IngestCounts = { accepted: 0, duplicates: 0, rejected: [] };
    try {
      const parsed = JSON.parse(text) as Partial<IngestCounts>;
      counts = {
        accepted: Number(parsed.accepted ?? 0),
        duplicates: Number(parsed.duplicates ?? 0),
        rejected: Array.isArray(parsed.rejected) ? parsed.rejected : [],
      };
    } catch {
      // A 2xx is an acknowledgement even if its body is not what we expect.
    }
    return { kind: "ok", status, counts };
  }
  const reason = `HTTP ${status} ${errorMessage(text)}`;
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    return { kind: "retry", status, reason, retryAfterMs: retryAfter };
  }
  if (status === 400 || status === 413 || status === 422) return { kind: "split", status, reason };
  return { kind: "fatal", status, reason };
}

export function createIngestClient(options: {
  url: string;
  token: string;
  timeoutMs?: number;
}): IngestClient {
  const url = new URL(options.url);
  const secure = url.protocol === "https:";
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;

  const post = (body: string | Buffer) =>
    new Promise<IngestOutcome>((resolve) => {
      const payload = typeof body === "string" ? Buffer.from(body) : body;
      const request = (secure ? https : http).request(
        url,
        {
          method: "POST",
          agent,
          headers: { ...headers, "content-length": String(payload.length) },
          timeout: timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            resolve(
              classify(
                response.statusCode ?? 0,
                text,
                retryAfterMs(response.headers["retry-after"]),
              ),
            );
          });
          response.on("error", (error) =>
            resolve({ kind: "retry", status: null, reason: error.message, retryAfterMs: null }),
          );
        },
      );
      request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on("error", (error: NodeJS.ErrnoException) =>
        resolve({
          kind: "retry",
          status: null,
          reason: error.code ?? error.message,
          retryAfterMs: null,
        }),
      );
      request.end(payload);
    });

  return { post, close: () => agent.destroy() };
}
