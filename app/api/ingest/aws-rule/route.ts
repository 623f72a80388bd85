// POST /api/ingest/aws-rule – AWS IoT rule HTTPS action: lifecycle events, and AWS's destination confirmation
import { readBodyText } from "@/lib/http/body";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";
import { MAX_CONFIRMATION_BYTES, receiveConfirmation } from "@/lib/sources/aws-destinations";
import { awsRuleItem, DESTINATION_ARN_HEADER, MESSAGE_TYPE_HEADER } from "@/lib/sources/aws-rule";
import { ingestVendorMessages } from "@/lib/sources/vendor-ingest";

export const dynamic = "force-dynamic";

async function post(request: Request): Promise<Response> {
  try {
    // The one request AWS sends without the rule's headers (so without the token).
    if (request.headers.get(MESSAGE_TYPE_HEADER) === "DestinationConfirmation") {
      const text = await readBodyText(request, MAX_CONFIRMATION_BYTES);
      return Response.json(
        await receiveConfirmation(text, request.headers.get(DESTINATION_ARN_HEADER)),
      );
    }
    // One message per request, or an array with the action's batching on.
    return await ingestVendorMessages(request, awsRuleItem);
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: post });
