// GET/POST /api/admin/tokens – list ingest tokens, create one (shown once; admins only)
import { createIngestToken, listIngestTokens } from "@/lib/auth/ingest-tokens";
import { CreateTokenBody } from "@/lib/auth/schemas";
import { collectionRoute } from "@/lib/http/collection-route";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = collectionRoute("admin", {
  list: async () => ({ items: await listIngestTokens() }),
  body: [CreateTokenBody, "JSON {name}"],
  create: ({ name }, admin) => createIngestToken(name, admin.username),
});
