import type { z } from "zod";
import { ServiceError } from "../errors";

/** Parses a JSON request body with a schema; one message naming every problem. */
export async function parseJsonBody<T extends z.ZodType>(
  request: Request,
  schema: T,
): Promise<z.infer<T>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new ServiceError("invalid_json", "Body is not valid JSON.");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ServiceError(
      "invalid_body",
      parsed.error.issues
        .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
        .join("; "),
    );
  }
  return parsed.data;
}
