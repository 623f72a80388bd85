import { z } from "zod";
import { ServiceError } from "../errors";

/** Keyset position: the last row's sort value and client ID, bound to the sort it came from. */
const Cursor = z.object({
  sort: z.enum(["clientId", "lastChange"]),
  order: z.enum(["asc", "desc"]),
  value: z.string().max(256),
  clientId: z.string().max(512),
});
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
  if (!result.success) {
    throw new ServiceError("invalid_query", "cursor: not a cursor returned by this API");
  }
  if (result.data.sort !== sort || result.data.order !== order) {
    throw new ServiceError("invalid_query", "cursor: it belongs to another sort or order; start again without it");
  }
  if (result.data.sort === "lastChange" && !Number.isFinite(Date.parse(result.data.value))) {
    throw new ServiceError("invalid_query", "cursor: not a cursor returned by this API");
  }
  return result.data;
}
