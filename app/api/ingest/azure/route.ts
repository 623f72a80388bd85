// POST /api/ingest/azure – Azure IoT Hub connection state events from Event Grid (both schemas), and its handshakes
import { ingestMaxBytes } from "@/lib/config";
import { requireIngestToken } from "@/lib/http/auth";
import { readBodyText } from "@/lib/http/body";
import { errorResponse, handleApiError } from "@/lib/http/handle-error";
import { notStored, routeMethods } from "@/lib/http/route-methods";
import { ingestItems } from "@/lib/ingest";
import { parseBody } from "@/lib/ingest/parse";
import { allowedOrigin, parseAzureBody } from "@/lib/sources/azure";

export const dynamic = "force-dynamic";

/** Event Grid's header on its subscription validation request (Event Grid schema). */
const VALIDATION_HEADER = "aeg-event-type";

/** Validation bodies are one small event; nothing larger is read without a token. */
const MAX_VALIDATION_BYTES = 16 * 1024;

async function post(request: Request): Promise<Response> {
  try {
    if (request.headers.get(VALIDATION_HEADER) === "SubscriptionValidation") {
      const body = parseAzureBody(parseBody(await readBodyText(request, MAX_VALIDATION_BYTES)));
      if (body.kind !== "validation") {
        return errorResponse(
          "invalid_body",
          "A SubscriptionValidation request must carry a Microsoft.EventGrid.SubscriptionValidationEvent with data.validationCode.",
        );
      }
      return Response.json({ validationResponse: body.validationCode });
    }
    await requireIngestToken(request);
    const body = parseAzureBody(parseBody(await readBodyText(request, ingestMaxBytes())));
    if (body.kind === "validation")
      return Response.json({ validationResponse: body.validationCode });
    return Response.json(await ingestItems(body.items));
  } catch (error) {
    return handleApiError(error);
  }
}

/** CloudEvents 1.0 webhook abuse protection: Event Grid asks before its first delivery. */
function options(request: Request): Response {
  const origin = allowedOrigin(request.headers.get("webhook-request-origin"));
  if (origin === null) {
    return notStored(
      errorResponse(
        "invalid_body",
        "WebHook-Request-Origin must name the sender's host (CloudEvents webhook validation).",
      ),
    );
  }
  return notStored(
    new Response(null, {
      status: 200,
      headers: {
        "WebHook-Allowed-Origin": origin,
        "WebHook-Allowed-Rate": "*",
        Allow: "POST, OPTIONS",
      },
    }),
  );
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: post });
export const OPTIONS = options;
