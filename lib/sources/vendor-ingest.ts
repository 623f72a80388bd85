import "server-only";
import { ingestMaxBytes } from "../config";
import { requireIngestToken } from "../http/auth";
import { readBodyText } from "../http/body";
import { ingestItems } from "../ingest";
import { parseBody } from "../ingest/parse";

/**
 * The body of a vendor's ingest POST (one message, or an array of them),
 * behind the ingest token and size limit: each message mapped to an ingest
 * item by `toItem`, then validated and stored as /api/ingest does.
 */
export async function ingestVendorMessages(
  request: Request,
  toItem: (message: unknown) => unknown,
): Promise<Response> {
  await requireIngestToken(request);
  const text = await readBodyText(request, ingestMaxBytes());
  return Response.json(await ingestItems(parseBody(text).map(toItem)));
}
