// GET /api-reference/scalar.js – Scalar's standalone bundle, served from
// node_modules: the reference page works offline and under the strict CSP
// (script-src 'self' with a nonce), with no CDN.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const BUNDLE = path.join(
  process.cwd(),
  "node_modules/@scalar/api-reference/dist/browser/standalone.js",
);
let bundle: Promise<Buffer> | null = null;

async function get(): Promise<Response> {
  try {
    bundle ??= readFile(BUNDLE);
    return new Response(new Uint8Array(await bundle), {
      headers: {
        "Content-Type": "text/javascript; charset=utf-8",
        // The bundle changes only with a deploy; an hour keeps a reload cheap.
        "Cache-Control": "private, max-age=3600",
      },
    });
  } catch (error) {
    bundle = null;
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
