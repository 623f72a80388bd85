import { z } from "zod";
import { ServiceError } from "../errors";

/**
 * A client ID as the cursor may carry it: what ingest can have stored (at
 * most 128 UTF-8 bytes, no NUL). Anything else cannot come from this API,
 * and a NUL would fail the query in PostgreSQL instead of the request here.
 */
const CursorClientId = z
  .string()
  .min(1)
  .refine((id) => Buffer.byteLength(id, "utf8") <= 128 && !id.includes("\0"));

/**
 * last_event_at as listClients writes it: toISOString() of a time after 1970
 * (events before 2000 are never stored) and before 10000, where PostgreSQL's
 * timestamptz and toISOString agree.
 */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CursorInstant = z
  .string()
  .refine((v) => ISO_INSTANT.test(v) && Date.parse(v) >= 0 && new Date(v).toISOString() === v);

/**
 * Keyset position: the last row's sort value and client ID, bound to the sort
 * it came from. Cursors are not signed: a forged one can only move the start
 * of a page, so each field is validated to be a value this API could have
 * written, which keeps every forged cursor a plain 400.
 */
const Cursor = z.discriminatedUnion("sort", [
  z.object({
    sort: z.literal("clientId"),
    order: z.enum(["asc", "desc"]),
    value: CursorClientId,
    clientId: CursorClientId,
  }),
  z.object({
    sort: z.literal("lastChange"),
    order: z.enum(["asc", "desc"]),
    // null: a client never seen (no last change), after every seen one in desc order.
    value: CursorInstant.nullable(),
    clientId: CursorClientId,
  }),
]);
export type Cursor = z.infer<typeof Cursor>;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

export function decodeCursor(text: string, sort: string, order: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    parsed = null;
  }
  const result = Cursor.safeParse(parsed);
  if (
    !result.success ||
    (result.data.sort === "clientId" && result.data.value !== result.data.clientId)
  ) {
    throw new ServiceError("invalid_query", "cursor: not a cursor returned by this API");
  }
  if (result.data.sort !== sort || result.data.order !== order) {
    throw new ServiceError(
      "invalid_query",
      "cursor: it belongs to another sort or order; start again without it",
    );
  }
  return result.data;
}
