// GET/POST /api/admin/operators – list operator accounts, create one (admins only)
import { createOperator, listOperators } from "@/lib/auth/operators";
import { CreateOperatorBody } from "@/lib/auth/schemas";
import { collectionRoute } from "@/lib/http/collection-route";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = collectionRoute("admin", {
  list: async () => ({ items: await listOperators() }),
  body: [CreateOperatorBody, "JSON {username, password, role}"],
  create: (body) => createOperator(body),
});
