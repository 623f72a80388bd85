// DELETE /api/admin/api-tokens/{id} – revoke an API token (admins only; audited)
import { adminDeleteById } from "@/lib/auth/admin-id-routes";
import { revokeApiToken } from "@/lib/auth/api-tokens";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({
  DELETE: adminDeleteById((id, admin) => revokeApiToken(id, admin.username)),
});
