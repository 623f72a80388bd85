// What an operation of the OpenAPI document says: who may call it and the
// zod schemas its route parses. The table itself is in operations-fleet.ts
// and operations-manage.ts; document.ts turns it into OpenAPI 3.1.
import { z } from "zod";

/**
 * public: no credential. viewer/admin: a session (cookie, plus X-CSRF-Token
 * on writes) or an API token of that role. ingest/metrics: their own bearer tokens.
 */
export type Access = "public" | "viewer" | "admin" | "ingest" | "metrics";
export type Method = "get" | "post" | "put" | "patch" | "delete";

export interface Operation {
  path: string;
  method: Method;
  summary: string;
  tag: string;
  access: Access;
  query?: z.ZodObject;
  pathParams?: z.ZodObject;
  body?: { schema: z.ZodType; contentType?: string; alternatives?: Record<string, z.ZodType> };
  /** Success status and what it carries (`schema`: its shape, lib/openapi/responses.ts). */
  ok?: { status: number; contentType: string; description: string; schema?: z.ZodType };
}

export const clientIdParam = z.object({
  clientId: z.string().meta({
    description:
      "The client ID as one URL-encoded path segment (encodeURIComponent); `.` and `..` are written `+.` and `+..`.",
  }),
});
export const idParam = z.object({ id: z.string().meta({ description: "The resource's id." }) });
export const json = (description: string, status = 200, schema?: z.ZodType) => ({
  status,
  contentType: "application/json",
  description,
  ...(schema !== undefined ? { schema } : {}),
});
