// GET/POST /api/admin/api-tokens – list API tokens, create one (shown once; admins only)
import { createApiToken, listApiTokens } from "@/lib/auth/api-tokens";
import { CreateApiTokenBody } from "@/lib/auth/schemas";
import { bodyRoute, guardedRoute } from "@/lib/http/guarded-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = guardedRoute("admin", async () => Response.json({ items: await listApiTokens() }));

const post = bodyRoute(
  "admin",
  CreateApiTokenBody,
  "JSON {name, role, expiresAt?}",
  async (body, admin) => Response.json(await createApiToken(body, admin.username), { status: 201 }),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get, POST: post });
