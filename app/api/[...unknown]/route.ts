// Any /api/* path no route serves: the error contract's JSON 404 (not
// Next's HTML page), for every method.
import { errorResponse } from "@/lib/http/handle-error";
import { notStored } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

function unknownPath(request: Request): Response {
  return notStored(errorResponse("not_found", `No API at ${new URL(request.url).pathname}.`));
}

export const GET = unknownPath;
export const POST = unknownPath;
export const PUT = unknownPath;
export const PATCH = unknownPath;
export const DELETE = unknownPath;
