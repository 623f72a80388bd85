import type { z } from "zod";
import { describeIssues, ServiceError } from "../errors";
import { readBodyText } from "../http/body";

/**
 * Admin and login bodies are a few fields: anything past this is refused
 * with a 413 before it is read into memory, parsed or validated.
 */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON request body of at most MAX_JSON_BODY_BYTES (413 past it);
 * invalid_json when it does not parse. `expected` names the shape, e.g. "{name}".
 */
export async function readJsonBody(request: Request, expected = "a JSON object"): Promise<unknown> {
  const text = await readBodyText(request, MAX_JSON_BODY_BYTES);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const what = text.trim() === "" ? "Body is empty" : "Body is not valid JSON";
    throw new ServiceError("invalid_json", `${what}; send ${expected}.`);
  }
}

/** Parses a JSON request body with a schema; one message naming every problem. */
export async function parseJsonBody<T extends z.ZodType>(
  request: Request,
  schema: T,
  expected?: string,
): Promise<z.infer<T>> {
  const body = await readJsonBody(request, expected);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ServiceError("invalid_body", describeIssues(parsed.error));
  return parsed.data;
}
