// GET/POST /api/admin/tokens – list ingest tokens, create one (shown once; admins only)
import { createIngestToken, listIngestTokens } from "@/lib/auth/ingest-tokens";
import { CreateTokenBody } from "@/lib/auth/schemas";
import { bodyRoute, guardedRoute } from "@/lib/http/guarded-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = guardedRoute("admin", async () => Response.json({ items: await listIngestTokens() }));

const post = bodyRoute("admin", CreateTokenBody, "JSON {name}", async ({ name }, admin) =>
  Response.json(await createIngestToken(name, admin.username), {
    status: 201,
    headers: { "Cache-Control": "no-store" },
  }),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get, POST: post });
