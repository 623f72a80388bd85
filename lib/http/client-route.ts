// The shape every per-client route shares: the client ID from the path
// segment (dot segments escaped, see contract/client-id-segment.ts), the query string,
// and every failure turned into the error contract by handleApiError.
import { clientIdFromSegment } from "../../contract/client-id-segment";
import { handleApiError } from "./handle-error";

type ClientParams = { params: Promise<{ clientId: string }> };

/** A handler for /api/clients/{clientId}/…: `handle` gets the client ID, the query parameters and the request. */
export function clientRoute(
  handle: (clientId: string, searchParams: URLSearchParams, request: Request) => Promise<Response>,
): (request: Request, context: ClientParams) => Promise<Response> {
  return async (request, { params }) => {
    try {
      return await handle(
        clientIdFromSegment((await params).clientId),
        new URL(request.url).searchParams,
        request,
      );
    } catch (error) {
      return handleApiError(error);
    }
  };
}
