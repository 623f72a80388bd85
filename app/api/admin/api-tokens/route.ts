// GET/POST /api/admin/api-tokens – list API tokens, create one (shown once; admins only)
import { createApiToken, listApiTokens } from "@/lib/auth/api-tokens";
import { CreateApiTokenBody } from "@/lib/auth/schemas";
import { collectionRoute } from "@/lib/http/collection-route";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = collectionRoute("admin", {
  list: async () => ({ items: await listApiTokens() }),
  body: [CreateApiTokenBody, "JSON {name, role, expiresAt?}"],
  create: (body, admin) => createApiToken(body, admin.username),
});
