// DELETE /api/admin/tokens/{id} – revoke an ingest token (admins only)
import { adminDeleteById } from "@/lib/auth/admin-id-routes";
import { revokeIngestToken } from "@/lib/auth/ingest-tokens";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({
  DELETE: adminDeleteById(revokeIngestToken),
});
