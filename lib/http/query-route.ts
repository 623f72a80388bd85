// The shape of a GET route over a query string: parse it with a zod schema
// (one 400 naming every bad parameter), make the one call into lib/, and turn
// any failure into the error contract.
import type { z } from "zod";
import { parseQuery } from "../clients/schemas";
import { handleApiError } from "./handle-error";

/** A GET handler: `handle` gets the parsed query (and the request, for its principal) and answers. */
export function queryRoute<T extends z.ZodType>(
  schema: T,
  handle: (query: z.infer<T>, request: Request) => Promise<Response>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      return await handle(parseQuery(schema, new URL(request.url).searchParams), request);
    } catch (error) {
      return handleApiError(error);
    }
  };
}
