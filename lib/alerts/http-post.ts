// One POST to a channel: no redirects followed (a 3xx is a failure: a
// redirect could point anywhere, the private network included), a timeout
// on the whole request, and the address checked on connect (ssrf.ts).
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { BlockedTargetError, guardedLookup, isPrivateAddress } from "./ssrf";

export interface PostResult {
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
}

export async function postJson(
  target: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<PostResult> {
  const url = new URL(target);
  const transport = url.protocol === "https:" ? https : http;
  // A literal IP is connected to without a lookup: check it here.
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!options.allowPrivate && net.isIP(host) !== 0 && isPrivateAddress(host)) {
    return { ok: false, httpStatus: null, error: new BlockedTargetError(host).message };
  }
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = transport.request(
      url,
      {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Content-Length": String(Buffer.byteLength(body)),
          "User-Agent": "fleet-presence-alerts",
          ...headers,
        },
        lookup: guardedLookup(options.allowPrivate),
        agent: false,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (text.length < 500) text += chunk;
        });
        response.on("end", () => {
          if (status >= 200 && status < 300) finish({ ok: true, httpStatus: status, error: null });
          else if (status >= 300 && status < 400)
            finish({
              ok: false,
              httpStatus: status,
              error: `redirect to ${response.headers.location ?? "?"} not followed`,
            });
          else
            finish({
              ok: false,
              httpStatus: status,
              error: `HTTP ${status}: ${text.slice(0, 200)}`,
            });
        });
        response.on("error", (error) =>
          finish({ ok: false, httpStatus: status, error: error.message }),
        );
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`timed out after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on("error", (error) => finish({ ok: false, httpStatus: null, error: error.message }));
    request.end(body);
  });
}
